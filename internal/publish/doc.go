// Package publish sends a build's artifact to its destinations (OCI layout,
// docker-archive, Docker daemon, registry) through one Sink interface, and
// reports what it published.
package publish
