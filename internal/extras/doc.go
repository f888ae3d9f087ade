// Package extras decides what a service needs at run time beyond what its
// ELF headers name: whether it reads the zone database, and whether its
// allocator deserves a warning.
package extras
