// Package routes holds the route-table checks of SECURITY.md: every route
// registered in the web and API routers (read from their source, so a new
// route is covered without touching this package) is sent malformed paths,
// bodies and queries as a guest and as a member (R7), every response is held
// to the header rules (R14), and list sizes and body caps to the resource
// limits (R13). FuzzRoutes mutates method, path, query and body against the
// real router. The package has only tests.
package routes
