// Package unpack extracts chosen entries of an image's layers into a root
// directory, never writing outside it, and keeps verified roots in a cache.
package unpack
