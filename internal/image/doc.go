// Package image turns file sets into deterministic OCI layers, images and
// indexes, wraps a build's images and their attachments as an Artifact, and
// fetches base images.
package image
