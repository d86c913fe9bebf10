package content

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/community"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/store"
)

// Demonstrated lists the tags under which a member's answers were accepted
// or upvoted, counting what the viewer may read: the expertise the
// community saw, which the profile shows next to what the member declared.
// It is kept in the memo per readable set of spaces, like lists: a vote or
// an accepted answer changes the lists, and so drops it.
func (s *Service) Demonstrated(ctx context.Context, v model.Viewer, userID int64) ([]store.TagRecord, error) {
	q := s.store.Read()
	return byReadable(ctx, s, q, v, "demonstrated:"+strconv.FormatInt(userID, 10), func(ts []store.TagRecord) int64 { return int64(64 + 64*len(ts)) }, func([]int64) ([]store.TagRecord, error) {
		return q.DemonstratedTags(ctx, policy.ScopeOf(v), userID, 8)
	}, pagecache.User(userID), pagecache.Lists)
}

// markActive records a post for the directory's "recent activity", which
// everyone sees: only when a guest may read the space it was written in.
func markActive(ctx context.Context, q *store.Queries, sp model.Space, userID int64, now time.Time) error {
	if !policy.Can(model.Viewer{}, policy.ReadContent, policy.Subject{Space: sp}) {
		return nil
	}
	return q.MarkActive(ctx, userID, now)
}

// AnswerList is a page of a member's answers.
type AnswerList struct {
	Items []store.AnswerItem
	Page  int
	More  bool
}

// UserAnswers lists a member's answers the viewer may read, newest first or
// (sort "top") best scored first, PageSize at a time.
func (s *Service) UserAnswers(ctx context.Context, v model.Viewer, userID int64, sort string, page int) (AnswerList, error) {
	if sort != "" && sort != "top" && sort != "newest" {
		return AnswerList{}, apperr.Field("sort", "Sort by newest or top.")
	}
	page = clampPage(page)
	items, err := s.store.Read().UserAnswers(ctx, policy.ScopeOf(v), userID, sort == "top", (page-1)*PageSize, PageSize+1)
	out := AnswerList{Items: items, Page: page}
	if len(items) > PageSize {
		out.Items, out.More = items[:PageSize], true
	}
	return out, err
}

// clampPage keeps a page number of an offset-paged list between 1 and
// MaxPage.
func clampPage(page int) int {
	return min(max(page, 1), MaxPage)
}

// DirectoryInput is what the member directory is asked for.
type DirectoryInput struct {
	Query     string
	Expertise string
	Interest  string
	Location  string
	Space     string // a space's slug: its members
	Role      string // admin, moderator or member
	New       bool   // joined in the last 30 days
	Sort      string // reputation (default), activity, name, new
	Page      int
}

// DirectorySorts are the directory's orders.
var DirectorySorts = []string{"reputation", "activity", "name", "new"}

// DirectoryEntry is a member as the directory shows them: their profile as
// the viewer may see it.
type DirectoryEntry struct {
	User    model.User
	Profile model.Profile
}

// Directory is a page of the member directory.
type Directory struct {
	Members []DirectoryEntry
	Space   *model.Space
	Page    int
	More    bool
}

// Directory lists members for the viewer. A filter on a profile field only
// finds members who show that field to the viewer; a space filter needs
// the viewer to be allowed to see the space's members, and a space they
// may not know of is not found.
func (s *Service) Directory(ctx context.Context, v model.Viewer, in DirectoryInput) (Directory, error) {
	f := apperr.Fields{}
	mf := store.MemberFilter{Query: strings.TrimSpace(in.Query), Location: strings.TrimSpace(in.Location),
		Expertise: strings.ToLower(strings.TrimSpace(in.Expertise)), Interest: strings.ToLower(strings.TrimSpace(in.Interest)), Sort: in.Sort}
	for field, text := range map[string]string{"q": mf.Query, "location": mf.Location, "expertise": mf.Expertise, "interest": mf.Interest} {
		if len(text) > 80 {
			f.Add(field, "Keep it under 80 characters.")
		}
	}
	if in.Role != "" {
		if mf.Role = model.Role(in.Role); !model.ValidRole(mf.Role) {
			f.Add("role", "Choose admin, moderator or member.")
		}
	}
	if in.Sort != "" && !slices.Contains(DirectorySorts, in.Sort) {
		f.Add("sort", "Sort by reputation, activity, name or new.")
	}
	if err := f.Err(); err != nil {
		return Directory{}, err
	}
	if in.New {
		mf.Since = s.now().Add(-30 * 24 * time.Hour)
	}
	q := s.store.Read()
	out := Directory{Page: clampPage(in.Page)}
	if in.Space != "" {
		sub, err := community.Subject(ctx, q, v, in.Space, policy.ReadContent)
		if err != nil {
			return Directory{}, err
		}
		sp := sub.Space
		mf.SpaceID, out.Space = sp.ID, &sp
	}
	mf.Offset, mf.Limit = (out.Page-1)*DirectoryPage, DirectoryPage+1
	users, err := q.Directory(ctx, v.UserID(), v.Staff(), mf)
	if err != nil {
		return Directory{}, err
	}
	if len(users) > DirectoryPage {
		users, out.More = users[:DirectoryPage], true
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	profiles, err := q.Profiles(ctx, ids)
	if err != nil {
		return Directory{}, err
	}
	for _, u := range users {
		if u.Status == model.StatusSuspended && !v.Staff() {
			continue
		}
		out.Members = append(out.Members, DirectoryEntry{User: u, Profile: profiles[u.ID].Seen(v, u)})
	}
	return out, nil
}

// DirectoryPage is how many members a page of the directory shows.
const DirectoryPage = 30
