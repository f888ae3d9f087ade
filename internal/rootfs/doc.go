// Package rootfs assembles the file set of a runtime: the binary, its shared
// libraries, CA certificates, passwd/group for the nonroot user, /tmp and
// nsswitch.conf, and writes it to a directory or hands it to image layers.
package rootfs
