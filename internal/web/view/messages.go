package view

import (
	"practica/internal/markup"
)

// Excerpt is the plain-text start of a Markdown text, for lists.
func Excerpt(src string, n int) string { return markup.Excerpt(src, n) }
