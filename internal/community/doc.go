// Package community runs spaces: creating and editing them, who belongs to
// them (join, leave, requests to join, invitation links) and who leads them.
// Every operation loads the space and the viewer's role in it and asks the
// policy before doing anything.
package community
