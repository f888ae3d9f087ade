// Package timing prints where a command's time goes, span by span, when
// asked (--timings): the breakdown behind the README's rebuild figures.
package timing
