// svc-mid
