// Package dockerfile renders a project's Dockerfile and .dockerignore from a plain Spec with embedded templates; it reads no files and runs nothing.
package dockerfile
