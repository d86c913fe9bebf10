// Package view holds the templ components of the web UI: the layout, shared
// components (buttons, topic rows, posts, forms) and one component per page.
// Each page takes a typed struct; a page and its fragment (HX-Request) are the same
// component.
package view
