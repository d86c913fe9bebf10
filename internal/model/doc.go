// Package model holds the plain data types every layer shares. It does no I/O.
package model
