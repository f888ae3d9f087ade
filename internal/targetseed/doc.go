// Package targetseed keeps compiled third-party artifacts of a cargo target
// directory in a cache directory (a BuildKit cache mount) and copies them
// back before the next cook, treating the cache as untrusted input: regular
// files and directories only, every path confined, a bad seed is a cold
// build.
package targetseed
