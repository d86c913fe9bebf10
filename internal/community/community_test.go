package community_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/community"
	"practica/internal/model"
	"practica/internal/store"
	"practica/internal/testenv"
)

var ctx = context.Background()

// role returns u's role in the space.
func role(t *testing.T, env *testenv.Env, sp model.Space, userID int64) model.SpaceRole {
	t.Helper()
	r, err := env.App.Store.Read().SpaceRole(ctx, sp.ID, userID)
	if err != nil {
		t.Fatalf("SpaceRole(%s, %d): %v", sp.Slug, userID, err)
	}
	return r
}

func TestCreateSpace(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	admin := env.Admin.Viewer()
	tests := []struct {
		name       string
		in         community.SpaceInput
		wantFields []string
	}{
		{"nothing", community.SpaceInput{}, []string{"name", "slug", "visibility"}},
		{"name too long", community.SpaceInput{Name: strings.Repeat("n", 61), Slug: "ok", Visibility: model.Public}, []string{"name"}},
		{"slug with spaces", community.SpaceInput{Name: "Fine", Slug: "not a slug", Visibility: model.Public}, []string{"slug"}},
		{"slug too long", community.SpaceInput{Name: "Fine", Slug: strings.Repeat("a", 41), Visibility: model.Public}, []string{"slug"}},
		{"slug ends in a dash", community.SpaceInput{Name: "Fine", Slug: "fine-", Visibility: model.Public}, []string{"slug"}},
		{"name without letters gives no slug", community.SpaceInput{Name: "!!!", Visibility: model.Public}, []string{"slug"}},
		{"unknown visibility", community.SpaceInput{Name: "Fine", Visibility: "unlisted"}, []string{"visibility"}},
		{"unknown colour", community.SpaceInput{Name: "Fine", Visibility: model.Public, Color: "#ff0000"}, []string{"color"}},
		{"focus too long", community.SpaceInput{Name: "Fine", Visibility: model.Public, Focus: strings.Repeat("f", 281)}, []string{"focus"}},
		{"rules too long", community.SpaceInput{Name: "Fine", Visibility: model.Public, Rules: strings.Repeat("r", 10001)}, []string{"rules"}},
		{"slug taken", community.SpaceInput{Name: "Another square", Slug: env.PublicSpace.Slug, Visibility: model.Public}, []string{"slug"}},
		{"slug taken in another case", community.SpaceInput{Name: "Another square", Slug: strings.ToUpper(env.PublicSpace.Slug), Visibility: model.Public}, []string{"slug"}},
		{"slug taken through the name", community.SpaceInput{Name: "Public Square", Visibility: model.Secret}, []string{"slug"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp, err := env.App.Community.CreateSpace(ctx, admin, tt.in)
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("CreateSpace(%+v) = space %d, %v; want Invalid", tt.in, sp.ID, err)
			}
			if got := testenv.FieldsOf(err); !slices.Equal(got, tt.wantFields) {
				t.Errorf("CreateSpace(%s): error fields %v, want %v (%v)", tt.name, got, tt.wantFields, err)
			}
		})
	}
	spaces, err := env.App.Community.Spaces(ctx, admin, true)
	if err != nil || len(spaces) != 3 {
		t.Errorf("after refused creations Spaces() lists %d spaces (err %v), want the 3 from setup", len(spaces), err)
	}

	for _, who := range []struct {
		name string
		v    model.Viewer
		want apperr.Kind
	}{{"guest", model.Viewer{}, apperr.Unauthenticated}, {"member", env.Alice.Viewer(), apperr.Forbidden}} {
		if _, err := env.App.Community.CreateSpace(ctx, who.v, community.SpaceInput{Name: "Mine", Visibility: model.Public}); apperr.KindOf(err) != who.want {
			t.Errorf("CreateSpace as %s = %v, want kind %d", who.name, err, who.want)
		}
	}

	sp, err := env.App.Community.CreateSpace(ctx, env.Mod.Viewer(), community.SpaceInput{Name: "  Quantum Computing  ", Focus: " qubits ", Visibility: model.Private})
	if err != nil {
		t.Fatalf("CreateSpace as a moderator: %v", err)
	}
	if sp.Slug != "quantum-computing" || sp.Name != "Quantum Computing" || sp.Focus != "qubits" || sp.Color != "slate" {
		t.Errorf("CreateSpace made %+v; want slug quantum-computing, trimmed name and focus, colour slate", sp)
	}
	if r := role(t, env, sp, env.Mod.ID); r != model.SpaceLeader {
		t.Errorf("the creator's role in the new space is %q, want leader", r)
	}
	env.CheckCounters(t)
}

func TestJoinPublic(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	bob := env.Bob.Viewer()
	res, err := env.App.Community.Join(ctx, bob, env.PublicSpace.Slug, "")
	if err != nil || res != community.Joined {
		t.Fatalf("Join(public) as bob = %q, %v; want joined", res, err)
	}
	if r := role(t, env, env.PublicSpace, env.Bob.ID); r != model.SpaceMember {
		t.Errorf("after Join bob's role is %q, want member", r)
	}
	if _, err := env.App.Community.Join(ctx, bob, env.PublicSpace.Slug, ""); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("Join(public) again = %v, want Conflict", err)
	}
	if _, err := env.App.Community.Join(ctx, model.Viewer{}, env.PublicSpace.Slug, ""); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("Join(public) as a guest = %v, want Unauthenticated", err)
	}
	if _, err := env.App.Community.Join(ctx, bob, "no-such-space", ""); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Join(no-such-space) = %v, want NotFound", err)
	}
	env.CheckCounters(t)
	if err := env.App.Community.Leave(ctx, bob, env.PublicSpace.Slug); err != nil {
		t.Fatalf("Leave(public) as bob: %v", err)
	}
	if err := env.App.Community.Leave(ctx, bob, env.PublicSpace.Slug); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("Leave(public) when not a member = %v, want Conflict", err)
	}
	env.CheckCounters(t)

	if err := env.App.Community.SetArchived(ctx, env.Alice.Viewer(), env.PublicSpace.Slug, true); err != nil {
		t.Fatalf("SetArchived(public): %v", err)
	}
	if _, err := env.App.Community.Join(ctx, bob, env.PublicSpace.Slug, ""); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("Join(archived space) = %v, want Forbidden", err)
	}
}

func TestJoinRequests(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	slug := env.PrivateSpace.Slug
	alice, bob := env.Alice.Viewer(), env.Bob.Viewer()
	carol := env.Person(t, "carol") // a plain member of the private space
	env.AddMember(t, env.PrivateSpace, &testenv.User{User: *carol.User}, model.SpaceMember)

	res, err := env.App.Community.Join(ctx, bob, slug, "I run the lab downstairs.")
	if err != nil || res != community.Requested {
		t.Fatalf("Join(private) as bob = %q, %v; want requested", res, err)
	}
	if r := role(t, env, env.PrivateSpace, env.Bob.ID); r != model.SpaceNone {
		t.Fatalf("a request to join made bob %q", r)
	}
	if _, err := env.App.Community.Join(ctx, bob, slug, ""); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("a second request while one is pending = %v, want Conflict", err)
	}
	sv, err := env.App.Community.Space(ctx, bob, slug)
	if err != nil || !sv.PendingRequest || sv.CanRead {
		t.Errorf("Space(private) for bob = pending %v, can read %v, %v; want a pending request and no reading", sv.PendingRequest, sv.CanRead, err)
	}
	reqs, err := env.App.Community.JoinRequests(ctx, alice, slug)
	if err != nil || len(reqs) != 1 || reqs[0].User.ID != env.Bob.ID || reqs[0].Message != "I run the lab downstairs." {
		t.Fatalf("JoinRequests as leader = %+v, %v; want bob's one request with his message", reqs, err)
	}
	id := reqs[0].ID

	// Only the space's leaders and staff decide.
	deciders := []struct {
		name string
		v    model.Viewer
		want apperr.Kind
	}{
		{"the requester", bob, apperr.NotFound},
		{"a plain member", carol, apperr.Forbidden},
		{"a guest", model.Viewer{}, apperr.NotFound},
	}
	for _, d := range deciders {
		if err := env.App.Community.DecideJoinRequest(ctx, d.v, slug, id, true); apperr.KindOf(err) != d.want {
			t.Errorf("DecideJoinRequest as %s = %v, want kind %d", d.name, err, d.want)
		}
		if _, err := env.App.Community.JoinRequests(ctx, d.v, slug); apperr.KindOf(err) != d.want {
			t.Errorf("JoinRequests as %s = %v, want kind %d", d.name, err, d.want)
		}
	}
	if err := env.App.Community.DecideJoinRequest(ctx, alice, env.PublicSpace.Slug, id, true); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("DecideJoinRequest through another space = %v, want NotFound", err)
	}
	if r := role(t, env, env.PrivateSpace, env.Bob.ID); r != model.SpaceNone {
		t.Fatalf("refused decisions made bob %q", r)
	}

	if err := env.App.Community.DecideJoinRequest(ctx, alice, slug, id, false); err != nil {
		t.Fatalf("decline: %v", err)
	}
	if r := role(t, env, env.PrivateSpace, env.Bob.ID); r != model.SpaceNone {
		t.Errorf("after a decline bob is %q", r)
	}
	if err := env.App.Community.DecideJoinRequest(ctx, alice, slug, id, true); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("approving a declined request = %v, want NotFound", err)
	}

	if _, err := env.App.Community.Join(ctx, bob, slug, "Please?"); err != nil {
		t.Fatalf("asking again after a decline: %v", err)
	}
	reqs, _ = env.App.Community.JoinRequests(ctx, env.Mod.Viewer(), slug)
	if len(reqs) != 1 {
		t.Fatalf("JoinRequests as moderator: %d requests, want 1", len(reqs))
	}
	if err := env.App.Community.DecideJoinRequest(ctx, env.Mod.Viewer(), slug, reqs[0].ID, true); err != nil {
		t.Fatalf("approve as a moderator: %v", err)
	}
	if r := role(t, env, env.PrivateSpace, env.Bob.ID); r != model.SpaceMember {
		t.Errorf("after approval bob is %q, want member", r)
	}
	if sv, err := env.App.Community.Space(ctx, bob, slug); err != nil || !sv.CanRead || !sv.CanPost {
		t.Errorf("after approval bob can read %v and post %v (%v); want both", sv.CanRead, sv.CanPost, err)
	}
	env.CheckCounters(t)
}

// TestApprovalKeepsLeaders: approving an old request of someone who has since
// become a leader must not demote them, and so cannot leave a space without
// a leader.
func TestApprovalKeepsLeaders(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	slug := env.PrivateSpace.Slug
	if _, err := env.App.Community.Join(ctx, env.Bob.Viewer(), slug, ""); err != nil {
		t.Fatalf("Join(private) as bob: %v", err)
	}
	secret, err := env.App.Community.CreateInvite(ctx, env.Alice.Viewer(), slug)
	if err != nil {
		t.Fatalf("CreateInvite: %v", err)
	}
	if _, err := env.App.Community.AcceptInvite(ctx, env.Bob.Viewer(), secret); err != nil {
		t.Fatalf("AcceptInvite as bob: %v", err)
	}
	if err := env.App.Community.SetMemberRole(ctx, env.Alice.Viewer(), slug, "bob", model.SpaceLeader); err != nil {
		t.Fatalf("make bob a leader: %v", err)
	}
	if err := env.App.Community.Leave(ctx, env.Alice.Viewer(), slug); err != nil {
		t.Fatalf("Alice leaves, bob stays the only leader: %v", err)
	}
	reqs, err := env.App.Community.JoinRequests(ctx, env.Mod.Viewer(), slug)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("JoinRequests = %d, %v; want bob's old request", len(reqs), err)
	}
	if err := env.App.Community.DecideJoinRequest(ctx, env.Mod.Viewer(), slug, reqs[0].ID, true); err != nil {
		t.Fatalf("approve bob's old request: %v", err)
	}
	if r := role(t, env, env.PrivateSpace, env.Bob.ID); r != model.SpaceLeader {
		t.Errorf("approving bob's old request changed his role to %q, want leader", r)
	}
	if n, err := env.App.Store.Read().CountLeaders(ctx, env.PrivateSpace.ID); err != nil || n != 1 {
		t.Errorf("the space has %d leaders (%v), want 1", n, err)
	}
	env.CheckCounters(t)
}

func TestSecretSpaceNeedsInvitation(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	slug := env.SecretSpace.Slug
	if _, err := env.App.Community.Join(ctx, env.Bob.Viewer(), slug, ""); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Join(secret) as a non-member = %v, want NotFound (the space does not exist for him)", err)
	}
	if _, err := env.App.Community.Space(ctx, env.Bob.Viewer(), slug); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Space(secret) as a non-member = %v, want NotFound", err)
	}
	if _, err := env.App.Community.Join(ctx, env.Mod.Viewer(), slug, ""); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("Join(secret) as a moderator = %v, want Forbidden (invitation only)", err)
	}
	for _, v := range []model.Viewer{{}, env.Bob.Viewer()} {
		spaces, err := env.App.Community.Spaces(ctx, v, true)
		if err != nil {
			t.Fatalf("Spaces: %v", err)
		}
		for _, s := range spaces {
			if s.Space.ID == env.SecretSpace.ID {
				t.Errorf("Spaces() for user %d lists the secret space", v.UserID())
			}
		}
	}
	if r := role(t, env, env.SecretSpace, env.Mod.ID); r != model.SpaceNone {
		t.Errorf("a refused join made the moderator %q", r)
	}
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	slug := env.SecretSpace.Slug
	alice, bob := env.Alice.Viewer(), env.Bob.Viewer()

	if _, err := env.App.Community.CreateInvite(ctx, bob, slug); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("CreateInvite(secret) as a non-member = %v, want NotFound", err)
	}
	secret, err := env.App.Community.CreateInvite(ctx, alice, slug)
	if err != nil {
		t.Fatalf("CreateInvite as leader: %v", err)
	}
	sp, err := env.App.Community.InviteSpace(ctx, secret)
	if err != nil || sp.ID != env.SecretSpace.ID {
		t.Fatalf("InviteSpace(link) = %d, %v; want the secret space", sp.ID, err)
	}
	if _, err := env.App.Community.AcceptInvite(ctx, model.Viewer{}, secret); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("AcceptInvite as a guest = %v, want Unauthenticated", err)
	}
	if sp, err := env.App.Community.AcceptInvite(ctx, bob, secret); err != nil || sp.ID != env.SecretSpace.ID {
		t.Fatalf("AcceptInvite as bob = %d, %v; want to join the secret space", sp.ID, err)
	}
	if r := role(t, env, env.SecretSpace, env.Bob.ID); r != model.SpaceMember {
		t.Errorf("after accepting bob is %q, want member", r)
	}
	if sv, err := env.App.Community.Space(ctx, bob, slug); err != nil || !sv.CanRead {
		t.Errorf("after accepting bob reads the secret space: %v, %v", sv.CanRead, err)
	}
	invites, err := env.App.Community.Invites(ctx, alice, slug)
	if err != nil || len(invites) != 1 || invites[0].Uses != 1 || invites[0].MaxUses != community.InviteMaxUses {
		t.Fatalf("Invites = %+v, %v; want one link used once", invites, err)
	}
	// Accepting again as a member uses nothing up.
	if _, err := env.App.Community.AcceptInvite(ctx, bob, secret); err != nil {
		t.Errorf("AcceptInvite again as a member: %v", err)
	}
	if invites, _ := env.App.Community.Invites(ctx, alice, slug); len(invites) != 1 || invites[0].Uses != 1 {
		t.Errorf("a member's second accept counted a use: %+v", invites)
	}
	if _, err := env.App.Community.Invites(ctx, bob, slug); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("Invites as a plain member = %v, want Forbidden", err)
	}
	if err := env.App.Community.RevokeInvite(ctx, bob, slug, invites[0].ID); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("RevokeInvite as a plain member = %v, want Forbidden", err)
	}

	t.Run("revoked", func(t *testing.T) {
		link, err := env.App.Community.CreateInvite(ctx, alice, slug)
		if err != nil {
			t.Fatalf("CreateInvite: %v", err)
		}
		invites, _ := env.App.Community.Invites(ctx, alice, slug)
		if err := env.App.Community.RevokeInvite(ctx, alice, env.PublicSpace.Slug, invites[0].ID); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("RevokeInvite through another space = %v, want NotFound", err)
		}
		if err := env.App.Community.RevokeInvite(ctx, alice, slug, invites[0].ID); err != nil {
			t.Fatalf("RevokeInvite: %v", err)
		}
		carol := env.Person(t, "carol")
		if _, err := env.App.Community.AcceptInvite(ctx, carol, link); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("AcceptInvite(revoked link) = %v, want NotFound", err)
		}
		if _, err := env.App.Community.InviteSpace(ctx, link); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("InviteSpace(revoked link) = %v, want NotFound", err)
		}
		if r := role(t, env, env.SecretSpace, carol.UserID()); r != model.SpaceNone {
			t.Errorf("a revoked link made carol %q", r)
		}
	})

	t.Run("expired", func(t *testing.T) {
		link, err := env.App.Community.CreateInvite(ctx, alice, slug)
		if err != nil {
			t.Fatalf("CreateInvite: %v", err)
		}
		env.Clock.Advance(community.InviteTTL + time.Minute)
		dave := env.Person(t, "dave")
		if _, err := env.App.Community.AcceptInvite(ctx, dave, link); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("AcceptInvite %v after creation = %v, want NotFound", community.InviteTTL+time.Minute, err)
		}
		if r := role(t, env, env.SecretSpace, dave.UserID()); r != model.SpaceNone {
			t.Errorf("an expired link made dave %q", r)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		for _, s := range []string{"", "pi_", "pi_nope", secret + "x", strings.Repeat("z", 3000)} {
			if _, err := env.App.Community.AcceptInvite(ctx, bob, s); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("AcceptInvite(%.10q…) = %v, want NotFound", s, err)
			}
		}
	})
	env.CheckCounters(t)
}

// TestInviteUsesNeverExceedMax: people accepting one link at the same time
// never get in more often than the link allows (SECURITY.md row 31, R10).
func TestInviteUsesNeverExceedMax(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	const maxUses, people = 3, 12
	secret := auth.NewSecret("pi_")
	now := env.Clock.Now()
	err := env.App.Store.InTx(ctx, func(q *store.Queries) error {
		_, err := q.CreateInvite(ctx, auth.HashSecret(secret), model.Invite{SpaceID: env.PrivateSpace.ID, CreatedBy: env.Alice.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour), MaxUses: maxUses})
		return err
	})
	if err != nil {
		t.Fatalf("CreateInvite(max %d): %v", maxUses, err)
	}
	viewers := make([]model.Viewer, people)
	for i := range viewers {
		viewers[i] = env.Person(t, fmt.Sprintf("guest%d", i))
	}
	errs := make([]error, people)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, v := range viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = env.App.Community.AcceptInvite(ctx, v, secret)
		}()
	}
	close(start)
	wg.Wait()
	joined := 0
	for i, err := range errs {
		switch {
		case err == nil:
			joined++
		case apperr.KindOf(err) != apperr.NotFound:
			t.Errorf("AcceptInvite #%d = %v, want success or NotFound (used up)", i, err)
		}
	}
	if joined != maxUses {
		t.Errorf("%d of %d parallel accepts of a %d-use link succeeded, want exactly %d", joined, people, maxUses, maxUses)
	}
	members := 0
	for _, v := range viewers {
		if role(t, env, env.PrivateSpace, v.UserID()) != model.SpaceNone {
			members++
		}
	}
	if members != maxUses {
		t.Errorf("%d people joined through a %d-use link", members, maxUses)
	}
	if _, err := env.App.Community.InviteSpace(ctx, secret); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("InviteSpace(used-up link) = %v, want NotFound", err)
	}
	var uses int64
	if err := env.App.DB.Read.QueryRowContext(ctx, `SELECT uses FROM space_invites WHERE token_hash = $1`, auth.HashSecret(secret)).Scan(&uses); err != nil || uses != maxUses {
		t.Errorf("the link's uses = %d (%v), want %d", uses, err, maxUses)
	}
	env.CheckCounters(t)
}

func TestLeadership(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	slug := env.PublicSpace.Slug
	alice := env.Alice.Viewer()
	if err := env.App.Community.Leave(ctx, alice, slug); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("Leave as the only leader = %v, want Conflict", err)
	}
	if err := env.App.Community.SetMemberRole(ctx, alice, slug, "alice", model.SpaceMember); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("the only leader stepping down = %v, want Conflict", err)
	}
	if err := env.App.Community.SetMemberRole(ctx, alice, slug, "alice", model.SpaceNone); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("the only leader removing herself = %v, want Conflict", err)
	}
	if err := env.App.Community.SetMemberRole(ctx, alice, slug, "bob", model.SpaceLeader); !slices.Equal(testenv.FieldsOf(err), []string{"username"}) {
		t.Errorf("SetMemberRole(bob, who is no member) = %v, want an error on field username", err)
	}
	if err := env.App.Community.SetMemberRole(ctx, alice, slug, "nobody", model.SpaceLeader); !slices.Equal(testenv.FieldsOf(err), []string{"username"}) {
		t.Errorf("SetMemberRole(nobody) = %v, want an error on field username", err)
	}
	if _, err := env.App.Community.Join(ctx, env.Bob.Viewer(), slug, ""); err != nil {
		t.Fatalf("Join(public) as bob: %v", err)
	}
	if err := env.App.Community.SetMemberRole(ctx, env.Bob.Viewer(), slug, "bob", model.SpaceLeader); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("a member making himself leader = %v, want Forbidden", err)
	}
	if err := env.App.Community.SetMemberRole(ctx, alice, slug, "bob", model.SpaceLeader); err != nil {
		t.Fatalf("SetMemberRole(bob, leader): %v", err)
	}
	if err := env.App.Community.Leave(ctx, alice, slug); err != nil {
		t.Errorf("Leave as one of two leaders: %v", err)
	}
	if err := env.App.Community.Leave(ctx, env.Bob.Viewer(), slug); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("Leave as the new only leader = %v, want Conflict", err)
	}
	if err := env.App.Community.Leave(ctx, env.Bob.Viewer(), env.SecretSpace.Slug); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Leave(secret) as a non-member = %v, want NotFound", err)
	}
	members, err := env.App.Community.Members(ctx, model.Viewer{}, slug)
	if err != nil || len(members) != 1 || members[0].User.ID != env.Bob.ID || members[0].Role != model.SpaceLeader {
		t.Errorf("Members(public) = %+v, %v; want bob alone, as leader", members, err)
	}
	if _, err := env.App.Community.Members(ctx, env.Bob.Viewer(), env.PrivateSpace.Slug); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Members(private) as a non-member = %v, want NotFound", err)
	}
	env.CheckCounters(t)
}

// TestMemberCountStaysExact runs a mixed sequence of membership changes and
// compares member_count with COUNT(*) after every step.
func TestMemberCountStaysExact(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	people := []model.Viewer{env.Bob.Viewer(), env.Person(t, "p1"), env.Person(t, "p2"), env.Person(t, "p3")}
	alice := env.Alice.Viewer()
	link, err := env.App.Community.CreateInvite(ctx, alice, env.SecretSpace.Slug)
	if err != nil {
		t.Fatalf("CreateInvite: %v", err)
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"p1 joins public", func() error { _, err := env.App.Community.Join(ctx, people[1], env.PublicSpace.Slug, ""); return err }},
		{"p2 joins public", func() error { _, err := env.App.Community.Join(ctx, people[2], env.PublicSpace.Slug, ""); return err }},
		{"p1 accepts secret link", func() error { _, err := env.App.Community.AcceptInvite(ctx, people[1], link); return err }},
		{"p3 accepts secret link", func() error { _, err := env.App.Community.AcceptInvite(ctx, people[3], link); return err }},
		{"p1 accepts again", func() error { _, err := env.App.Community.AcceptInvite(ctx, people[1], link); return err }},
		{"p2 leaves public", func() error { return env.App.Community.Leave(ctx, people[2], env.PublicSpace.Slug) }},
		{"p1 made leader of public", func() error {
			return env.App.Community.SetMemberRole(ctx, alice, env.PublicSpace.Slug, "p1", model.SpaceLeader)
		}},
		{"p1 removed from secret", func() error {
			return env.App.Community.SetMemberRole(ctx, alice, env.SecretSpace.Slug, "p1", model.SpaceNone)
		}},
		{"bob asks to join private", func() error { _, err := env.App.Community.Join(ctx, people[0], env.PrivateSpace.Slug, ""); return err }},
		{"alice approves bob", func() error {
			reqs, err := env.App.Community.JoinRequests(ctx, alice, env.PrivateSpace.Slug)
			if err != nil || len(reqs) != 1 {
				return fmt.Errorf("JoinRequests = %d, %v", len(reqs), err)
			}
			return env.App.Community.DecideJoinRequest(ctx, alice, env.PrivateSpace.Slug, reqs[0].ID, true)
		}},
		{"bob leaves private", func() error { return env.App.Community.Leave(ctx, people[0], env.PrivateSpace.Slug) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		env.CheckCounters(t)
		if t.Failed() {
			t.Fatalf("counters wrong after %q", s.name)
		}
	}
	want := map[int64]int64{env.PublicSpace.ID: 2, env.PrivateSpace.ID: 1, env.SecretSpace.ID: 2}
	for id, n := range want {
		sp, err := env.App.Store.Read().Space(ctx, id)
		if err != nil || sp.MemberCount != n {
			t.Errorf("space %s has member_count %d (%v), want %d", sp.Slug, sp.MemberCount, err, n)
		}
	}
}

func TestUpdateAndArchiveSpace(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	alice, bob := env.Alice.Viewer(), env.Bob.Viewer()
	in := community.SpaceInput{Name: "Public Forum", Slug: "forum", Visibility: model.Public, Color: "teal"}
	if _, err := env.App.Community.UpdateSpace(ctx, bob, env.PublicSpace.Slug, in); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("UpdateSpace as a non-leader = %v, want Forbidden", err)
	}
	taken := in
	taken.Slug = env.PrivateSpace.Slug
	if _, err := env.App.Community.UpdateSpace(ctx, alice, env.PublicSpace.Slug, taken); !slices.Equal(testenv.FieldsOf(err), []string{"slug"}) {
		t.Errorf("UpdateSpace to a taken slug = %v, want an error on field slug", err)
	}
	sp, err := env.App.Community.UpdateSpace(ctx, alice, env.PublicSpace.Slug, in)
	if err != nil || sp.Slug != "forum" || sp.Name != "Public Forum" {
		t.Fatalf("UpdateSpace = %+v, %v; want the new name and slug", sp, err)
	}
	if _, err := env.App.Community.Space(ctx, bob, "forum"); err != nil {
		t.Errorf("Space(forum) after the rename: %v", err)
	}
	if err := env.App.Community.SetArchived(ctx, bob, "forum", true); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("SetArchived as a non-leader = %v, want Forbidden", err)
	}
	if err := env.App.Community.SetArchived(ctx, alice, "forum", true); err != nil {
		t.Fatalf("SetArchived: %v", err)
	}
	listed, _ := env.App.Community.Spaces(ctx, bob, false)
	for _, s := range listed {
		if s.Space.Slug == "forum" {
			t.Errorf("an archived space is still in the default list")
		}
	}
	if sv, err := env.App.Community.Space(ctx, bob, "forum"); err != nil || !sv.CanRead || sv.CanPost {
		t.Errorf("archived space for bob: read %v post %v (%v); want read-only", sv.CanRead, sv.CanPost, err)
	}
	if err := env.App.Community.SetArchived(ctx, alice, "forum", false); err != nil {
		t.Errorf("unarchive: %v", err)
	}
}

// TestInviteEdgeCases: an archived space takes no one in, and one person
// accepting the same link many times at once uses it only once.
func TestInviteEdgeCases(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	alice := env.Alice.Viewer()
	secret, err := env.App.Community.CreateInvite(ctx, alice, env.SecretSpace.Slug)
	if err != nil {
		t.Fatalf("CreateInvite: %v", err)
	}
	carol := env.Person(t, "carol")
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := env.App.Community.AcceptInvite(ctx, carol, secret); err != nil {
				t.Errorf("AcceptInvite as carol: %v", err)
			}
		}()
	}
	wg.Wait()
	invites, err := env.App.Community.Invites(ctx, alice, env.SecretSpace.Slug)
	if err != nil || len(invites) != 1 || invites[0].Uses != 1 {
		t.Fatalf("after 8 parallel acceptances by one person: invites %+v, err %v; want one invite with 1 use", invites, err)
	}
	env.CheckCounters(t)

	if err := env.App.Community.SetArchived(ctx, alice, env.SecretSpace.Slug, true); err != nil {
		t.Fatalf("archive: %v", err)
	}
	dave := env.Person(t, "dave")
	if _, err := env.App.Community.AcceptInvite(ctx, dave, secret); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("AcceptInvite into an archived space: %v, want Forbidden", err)
	}
}
