// svc-deep
