// Package stamp remembers what berth learnt from reading a host file (its
// digest, a layer's digest) under the file's identity, so that a rebuild
// whose inputs did not change need not read big files again.
package stamp
