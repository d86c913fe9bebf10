package view

import (
	"sort"
	"strings"

	"practica/internal/community"
	"practica/internal/model"
	"practica/internal/store"
)

func replyNoun(k model.Kind, n int64) string {
	if k == model.KindQuestion {
		return Plural(n, "answer", "answers")
	}
	return Plural(n, "reply", "replies")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// describedBy links a field to its hint and error for screen readers.
func describedBy(f Form, name, hint string) string {
	var ids []string
	if hint != "" {
		ids = append(ids, "h-"+name)
	}
	if f.Err(name) != "" {
		ids = append(ids, "e-"+name)
	}
	return strings.Join(ids, " ")
}

// deletePrompt is the question the delete confirmation asks.
func deletePrompt(k model.PostKind) string {
	switch k {
	case model.PostOpening:
		return "Delete this whole topic?"
	case model.PostComment:
		return "Delete this comment?"
	}
	return "Delete this post?"
}

func replyLabel(k model.Kind) string {
	if k == model.KindQuestion {
		return "Answer"
	}
	return "Your message"
}

func replyButton(k model.Kind) string {
	if k == model.KindQuestion {
		return "Post your answer"
	}
	return "Post reply"
}

func replyHeading(k model.Kind) string {
	if k == model.KindQuestion {
		return "Your answer"
	}
	return "Reply"
}

func spaceOptions(spaces []store.SpaceListItem) [][2]string {
	out := make([][2]string, len(spaces))
	for i, s := range spaces {
		out[i] = [2]string{s.Space.Slug, s.Space.Name}
	}
	return out
}

// SpaceHeaderData is what the space header needs.
type SpaceHeaderData struct {
	community.SpaceView
	Guest bool
}

// HeaderOf builds the header data of a space for a viewer.
func HeaderOf(v community.SpaceView, viewer model.Viewer) SpaceHeaderData {
	return SpaceHeaderData{SpaceView: v, Guest: viewer.Guest()}
}

func spaceFormAction(s *model.Space) string {
	if s == nil {
		return "/spaces/new"
	}
	return s.Path() + "/edit"
}
