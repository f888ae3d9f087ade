// Package publish writes an image to its destinations (OCI layout, docker-archive tar, Docker daemon, registry) behind one small interface.
package publish
