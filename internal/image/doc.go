// Package image turns file sets into deterministic OCI layers and images, and fetches base images.
package image
