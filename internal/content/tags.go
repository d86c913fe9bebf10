package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"practica/internal/apperr"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/reputation"
	"practica/internal/store"
)

// MaxTagDescription caps a tag's description: a short "use this tag for".
const MaxTagDescription = 600

// prepareTags resolves synonyms to their tags and checks the viewer may
// create the tags that do not exist yet (the create_tags privilege, or
// moderating the space: mod). The result is sorted and free of duplicates.
func (s *Service) prepareTags(ctx context.Context, q *store.Queries, v model.Viewer, mod bool, f apperr.Fields, tags []string) ([]string, error) {
	resolved, missing, err := q.SettleTags(ctx, tags)
	if err != nil || len(missing) == 0 {
		return resolved, err
	}
	cfg, err := s.repConfig(ctx, q)
	if err != nil {
		return nil, err
	}
	if !mod && !cfg.Has(v.User, reputation.CreateTags) {
		f.Add("tags", fmt.Sprintf("Creating a new tag (%s) needs %d reputation. Choose existing tags, or ask a moderator to add it.",
			strings.Join(missing, ", "), cfg.Privileges[reputation.CreateTags]))
	}
	return resolved, nil
}

// TagView is a tag page: the tag, what leads to it, who answers best under
// it, and what the viewer may do.
type TagView struct {
	Tag          model.Tag
	Synonyms     []string
	TopAnswerers []store.Contributor
	Following    bool
	Followers    int64
	CanDescribe  bool
	CanManage    bool
	// Canonical is set when the name asked for is a synonym of this tag.
	Canonical string
}

// TagPage returns a tag with its synonyms, top answerers (over what the
// viewer may read) and the viewer's follow state. A synonym answers with
// the tag it leads to and Canonical set, for a redirect.
func (s *Service) TagPage(ctx context.Context, v model.Viewer, name string) (TagView, error) {
	q := s.store.Read()
	name = strings.ToLower(name)
	t, err := s.readableTag(ctx, q, v, name)
	if err != nil {
		return TagView{}, err
	}
	view := TagView{Tag: t}
	if t.Name != name {
		view.Canonical = t.Name
	}
	sc := policy.ScopeOf(v)
	if view.Tag.TopicCount, err = q.TagTopicCount(ctx, sc, t.ID); err != nil {
		return view, err
	}
	if view.Synonyms, err = q.TagSynonyms(ctx, t.ID); err != nil {
		return view, err
	}
	if view.TopAnswerers, err = q.TopAnswerers(ctx, sc, t.ID, 10); err != nil {
		return view, err
	}
	if view.Following, view.Followers, err = q.TagFollowing(ctx, v.UserID(), t.ID); err != nil {
		return view, err
	}
	cfg, err := s.repConfig(ctx, q)
	writer := policy.CheckWriter(v) == nil
	view.CanDescribe = writer && cfg.Has(v.User, reputation.EditOthers)
	view.CanManage = writer && v.Staff()
	return view, err
}

// DescribeTag sets a tag's description (the edit privilege, or staff).
func (s *Service) DescribeTag(ctx context.Context, v model.Viewer, name, description string) (model.Tag, error) {
	if err := policy.CheckWriter(v); err != nil {
		return model.Tag{}, err
	}
	description = strings.TrimSpace(description)
	if utf8.RuneCountInString(description) > MaxTagDescription {
		return model.Tag{}, apperr.Field("description", fmt.Sprintf("Keep the description to %d characters: say when to use the tag.", MaxTagDescription))
	}
	if markup.BadText(description) {
		return model.Tag{}, apperr.Field("description", markup.BadTextMessage)
	}
	var t model.Tag
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if t, err = s.readableTag(ctx, q, v, name); err != nil {
			return err
		}
		cfg, err := s.repConfig(ctx, q)
		if err != nil {
			return err
		}
		if !cfg.Has(v.User, reputation.EditOthers) {
			return privilegeError(cfg, reputation.EditOthers, "Editing tag descriptions")
		}
		t.Description = description
		q.Touch(pagecache.Tag(t.ID)) // shown on the tag's page only
		return q.SetTagDescription(ctx, t.ID, description)
	})
	return t, err
}

// MergeTag folds tag from into tag into (staff only): its topics and
// followers move, and its name becomes a synonym, so old links and new posts
// using it land on into.
func (s *Service) MergeTag(ctx context.Context, v model.Viewer, from, into string) (model.Tag, error) {
	if err := policy.CheckManageTags(v); err != nil {
		return model.Tag{}, err
	}
	var target model.Tag
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		src, err := s.tagIn(ctx, q, from)
		if err != nil {
			return err
		}
		if target, err = s.tagIn(ctx, q, into); err != nil {
			if apperr.KindOf(err) == apperr.NotFound {
				return apperr.Field("into", "There is no such tag to merge into.")
			}
			return err
		}
		if src.ID == target.ID {
			return apperr.Field("into", "Choose a different tag to merge into.")
		}
		return q.MergeTag(ctx, src, target.ID, v.UserID(), s.now())
	})
	return target, err
}

// AddSynonym makes a new name lead to a tag (staff only). A name that is
// already a tag must be merged instead.
func (s *Service) AddSynonym(ctx context.Context, v model.Viewer, name, synonym string) error {
	if err := policy.CheckManageTags(v); err != nil {
		return err
	}
	f := apperr.Fields{}
	parsed := ParseTags(f, synonym)
	if len(parsed) != 1 {
		f.Add("synonym", "Give one tag name.")
	}
	if err := f.Err(); err != nil {
		return apperr.Field("synonym", "Give one tag name: lowercase letters, digits and + # . -")
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		t, err := s.tagIn(ctx, q, name)
		if err != nil {
			return err
		}
		missing, err := q.MissingTags(ctx, parsed)
		if err != nil {
			return err
		}
		if len(missing) == 0 {
			return apperr.Field("synonym", fmt.Sprintf("%q is a tag of its own; merge it into %q instead.", parsed[0], t.Name))
		}
		err = q.AddSynonym(ctx, parsed[0], t.ID, v.UserID(), s.now())
		if errors.Is(err, store.ErrConflict) {
			return apperr.Field("synonym", fmt.Sprintf("%q already leads to a tag.", parsed[0]))
		}
		return err
	})
}

// FollowTag starts or stops the viewer following a tag.
func (s *Service) FollowTag(ctx context.Context, v model.Viewer, name string, follow bool) error {
	if err := policy.CheckWriter(v); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		t, err := s.readableTag(ctx, q, v, name)
		if err != nil {
			return err
		}
		return q.SetTagFollow(ctx, v.UserID(), t.ID, follow, s.now())
	})
}

// FollowedTags lists the tags the viewer follows.
func (s *Service) FollowedTags(ctx context.Context, v model.Viewer) ([]string, error) {
	if v.Guest() {
		return nil, nil
	}
	return s.store.Read().FollowedTags(ctx, v.UserID())
}

// readableTag loads a tag by name (synonyms resolved) that the viewer may
// know of: one with a topic they can read, or one with no topic anywhere. A
// tag used only where they cannot read is NotFound, so its name, description
// and followers do not leak out of a private space.
func (s *Service) readableTag(ctx context.Context, q *store.Queries, v model.Viewer, name string) (model.Tag, error) {
	t, err := s.tagIn(ctx, q, name)
	if err != nil || v.Staff() {
		return t, err
	}
	if t.TopicCount, err = q.TagTopicCount(ctx, policy.ScopeOf(v), t.ID); err != nil || t.TopicCount > 0 {
		return t, err
	}
	anywhere, err := q.TagTopicCount(ctx, policy.Scope{All: true}, t.ID)
	if err == nil && anywhere > 0 {
		err = apperr.NotFoundf("There is no tag %q.", truncate(name, 40))
	}
	return t, err
}

// tagIn loads a tag by name (synonyms resolved) within a transaction.
func (s *Service) tagIn(ctx context.Context, q *store.Queries, name string) (model.Tag, error) {
	resolved, err := q.ResolveTags(ctx, []string{strings.ToLower(strings.TrimSpace(name))})
	if err != nil {
		return model.Tag{}, err
	}
	t, err := q.Tag(ctx, resolved[0])
	if errors.Is(err, store.ErrNotFound) {
		return t, apperr.NotFoundf("There is no tag %q.", truncate(name, 40))
	}
	return t, err
}
