// Package web serves the HTML interface. Handlers read top to bottom: parse
// the request, call a service with the viewer, render a typed page. Every
// action is a plain form post that works without JavaScript; static/app.js (hx-boost)
// only makes navigation smoother. Errors go through one mapping (fail).
package web
