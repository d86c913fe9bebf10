package api

import "net/http"

// Routes returns the API routes, one line each.
func (h *Handler) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/openapi.yaml", h.spec)
	mux.Handle("GET /api/v1/me", h.handle(h.me))
	mux.Handle("GET /api/v1/spaces", h.handle(h.listSpaces))
	mux.Handle("POST /api/v1/spaces", h.handle(h.createSpace))
	mux.Handle("GET /api/v1/spaces/{slug}", h.handle(h.getSpace))
	mux.Handle("PATCH /api/v1/spaces/{slug}", h.handle(h.updateSpace))
	mux.Handle("POST /api/v1/spaces/{slug}/archive", h.handle(h.archiveSpace))
	mux.Handle("POST /api/v1/spaces/{slug}/unarchive", h.handle(h.archiveSpace))
	mux.Handle("POST /api/v1/spaces/{slug}/join", h.handle(h.joinSpace))
	mux.Handle("POST /api/v1/spaces/{slug}/leave", h.handle(h.leaveSpace))
	mux.Handle("GET /api/v1/spaces/{slug}/members", h.handle(h.members))
	mux.Handle("GET /api/v1/topics", h.handle(h.listTopics))
	mux.Handle("POST /api/v1/topics", h.handle(h.createTopic))
	mux.Handle("GET /api/v1/topics/{id}", h.handle(h.getTopic))
	mux.Handle("POST /api/v1/topics/{id}/posts", h.handle(h.reply))
	mux.Handle("POST /api/v1/topics/{id}/pin", h.handle(h.moderate))
	mux.Handle("POST /api/v1/topics/{id}/unpin", h.handle(h.moderate))
	mux.Handle("POST /api/v1/topics/{id}/lock", h.handle(h.moderate))
	mux.Handle("POST /api/v1/topics/{id}/unlock", h.handle(h.moderate))
	mux.Handle("POST /api/v1/topics/{id}/move", h.handle(h.move))
	mux.Handle("GET /api/v1/posts/{id}", h.handle(h.getPost))
	mux.Handle("PATCH /api/v1/posts/{id}", h.handle(h.editPost))
	mux.Handle("DELETE /api/v1/posts/{id}", h.handle(h.deletePost))
	mux.Handle("POST /api/v1/posts/{id}/restore", h.handle(h.restorePost))
	mux.Handle("GET /api/v1/posts/{id}/revisions", h.handle(h.revisions))
	mux.Handle("GET /api/v1/users/{username}", h.handle(h.getUser))
	mux.Handle("/api/", h.handle(func(w http.ResponseWriter, r *http.Request) error { return errNoRoute }))
	return h.withToken(mux)
}
