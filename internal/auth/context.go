package auth

import (
	"context"

	"practica/internal/model"
)

type ctxKey struct{}

// WithViewer returns ctx carrying the request's viewer.
func WithViewer(ctx context.Context, v model.Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// ViewerFrom returns the request's viewer; a guest when none was set.
func ViewerFrom(ctx context.Context) model.Viewer {
	v, _ := ctx.Value(ctxKey{}).(model.Viewer)
	return v
}
