// svc-top
