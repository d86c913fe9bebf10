package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/store"
)

// Mail batching: a notification waits MailDelay for others to go out in
// the same message; one message carries at most MailItems of them (the
// rest go in the next).
const (
	MailDelay     = 2 * time.Minute
	MailItems     = 20
	mailPerRun    = 200
	excerptLength = 280
)

// Mail turns the notifications waiting for email into messages in the
// outbox, one per member whose oldest waiting notification is MailDelay
// old, and reports how many it wrote. Each member's message is written in
// the same transaction that marks its notifications sent, so a crash sends
// them once or not yet, never twice. What the member read in the app
// meanwhile, or may no longer see (checked now, with the visibility policy),
// is left out; a member who cannot be emailed (no confirmed address, or an
// account that cannot sign in) gets nothing and their notifications stop
// waiting.
func (in *Inbox) Mail(ctx context.Context) (int, error) {
	users, err := in.Store.Read().MailRecipients(ctx, in.Now().Add(-MailDelay), mailPerRun)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, id := range users {
		wrote := false
		err := in.Store.InTx(ctx, func(q *store.Queries) (err error) {
			q.Touch() // the outbox and mail states show on no shared page
			wrote, err = in.mailOne(ctx, q, id)
			return err
		})
		switch {
		case errors.Is(err, errTaken):
			continue // another instance is writing this member's message
		case err != nil:
			return sent, err
		case wrote:
			sent++
		}
	}
	return sent, nil
}

// errTaken rolls back a member's message when another instance's mail job
// marked some of the same notifications first.
var errTaken = errors.New("notify: notifications taken by another mail job")

// mailOne writes one member's message, if anything is left to say.
func (in *Inbox) mailOne(ctx context.Context, q *store.Queries, userID int64) (bool, error) {
	u, err := q.User(ctx, userID)
	if err != nil {
		return false, err
	}
	rows, err := q.PendingMail(ctx, userID, MailItems)
	if err != nil || len(rows) == 0 {
		return false, err
	}
	v := model.Viewer{User: &u}
	var sent, skipped []int64
	var items []string
	for _, r := range rows {
		if r.ReadAt != nil || !mailable(u) {
			skipped = append(skipped, r.ID)
			continue
		}
		it, ok, err := in.item(ctx, q, v, r)
		if err != nil {
			return false, err
		}
		if !ok {
			skipped = append(skipped, r.ID)
			continue
		}
		text, err := in.mailText(ctx, q, it)
		if err != nil {
			return false, err
		}
		items = append(items, text)
		sent = append(sent, r.ID)
	}
	n1, err := q.SetMailState(ctx, skipped, store.MailSkipped)
	if err != nil {
		return false, err
	}
	n2, err := q.SetMailState(ctx, sent, store.MailSent)
	if err != nil {
		return false, err
	}
	if n1+n2 != len(rows) {
		return false, errTaken
	}
	if len(items) == 0 {
		return false, nil
	}
	unsub, err := UnsubscribeURL(ctx, q, in.BaseURL, userID, in.Now)
	if err != nil {
		return false, err
	}
	settings, err := q.Settings(ctx)
	if err != nil {
		return false, err
	}
	community := settings["community_name"]
	if community == "" {
		community = "Practica"
	}
	subject := fmt.Sprintf("%d new notifications in %s", len(items), community)
	if len(items) == 1 {
		subject, _, _ = strings.Cut(items[0], "\n")
	}
	body := strings.Join(items, "\n") + fmt.Sprintf("\n--\nYou get these emails from %s because of your notification settings: %s/settings#notifications\n"+
		"Stop all notification emails: %s\n", community, in.BaseURL, unsub)
	_, err = q.QueueMail(ctx, model.Mail{To: u.Email, Subject: subject, Body: body, Unsubscribe: unsub, CreatedAt: in.Now()})
	return err == nil, err
}

func mailable(u model.User) bool {
	return u.Status == model.StatusActive && u.Verified() && u.Email != ""
}

// mailText is one notification in an email: what happened, an excerpt of
// the post, and the link.
func (in *Inbox) mailText(ctx context.Context, q *store.Queries, it Item) (string, error) {
	var b strings.Builder
	b.WriteString(it.Sentence())
	b.WriteString("\n")
	body := ""
	switch {
	case it.MessageID != 0:
		m, err := q.Message(ctx, it.MessageID)
		if err != nil {
			return "", err
		}
		body = m.Body
	case it.PostID != 0:
		p, err := q.Post(ctx, it.PostID)
		if err != nil {
			return "", err
		}
		body = p.Body
	}
	if ex := markup.Excerpt(body, excerptLength); ex != "" {
		b.WriteString("> " + ex + "\n")
	}
	b.WriteString(in.BaseURL + it.Link() + "\n")
	return b.String(), nil
}

// Sentence says what happened, in plain words: "Bob answered “Title”".
func (it Item) Sentence() string {
	if it.Subject() == "" {
		return it.Lead() // a badge, a message from one member
	}
	return it.Lead() + " “" + it.Subject() + "”"
}

// DigestList names the digest in an unsubscribe link (?list=digest).
const DigestList = "digest"

// unsubscribeKey is the setting holding the key that signs unsubscribe
// links: made once, on first use.
const unsubscribeKey = "mail.unsubscribe_key"

// UnsubscribeURL returns the member's one-click unsubscribe address: it
// works without signing in, for good, and only for that member.
func UnsubscribeURL(ctx context.Context, q *store.Queries, baseURL string, userID int64, now func() time.Time) (string, error) {
	settings, err := q.Settings(ctx)
	if err != nil {
		return "", err
	}
	key := settings[unsubscribeKey]
	if key == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		// Two first uses at once (two instances) keep one key: links
		// signed with a key that lost would never work.
		if key, err = q.EnsureSetting(ctx, unsubscribeKey, base64.RawURLEncoding.EncodeToString(b), now()); err != nil {
			return "", err
		}
	}
	return baseURL + "/unsubscribe/" + strconv.FormatInt(userID, 10) + "-" + unsubscribeMAC(key, userID), nil
}

func unsubscribeMAC(key string, userID int64) string {
	m := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(m, "unsubscribe:%d", userID)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// unsubscriber checks an unsubscribe token and returns its member; any
// token that does not check out is NotFound.
func unsubscriber(ctx context.Context, q *store.Queries, token string) (int64, error) {
	idText, mac, ok := strings.Cut(token, "-")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	settings, err := q.Settings(ctx)
	if err != nil {
		return 0, err
	}
	key := settings[unsubscribeKey]
	if key == "" || !hmac.Equal([]byte(mac), []byte(unsubscribeMAC(key, id))) {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// Unsubscribed describes an unsubscribe link: whose address it stops.
func (in *Inbox) Unsubscribed(ctx context.Context, token string) (model.User, error) {
	q := in.Store.Read()
	id, err := unsubscriber(ctx, q, token)
	if err != nil {
		return model.User{}, err
	}
	return q.User(ctx, id)
}

// Unsubscribe stops what a link's emails were: the digest (list "digest"),
// or else every kind of notification the member gets by email, which
// become in-app only. It needs no session: the link is the proof.
func (in *Inbox) Unsubscribe(ctx context.Context, token, list string) error {
	return in.Store.InTx(ctx, func(q *store.Queries) error {
		id, err := unsubscriber(ctx, q, token)
		if err != nil {
			return err
		}
		if list == DigestList {
			return q.SetDigest(ctx, id, model.DigestOff)
		}
		prefs, err := in.prefs(ctx, q, id)
		if err != nil {
			return err
		}
		for k, d := range prefs {
			if d == model.DeliverEmail {
				prefs[k] = model.DeliverApp
			}
		}
		return q.SetNotePrefs(ctx, id, prefs)
	})
}

// prefs returns a member's delivery for every kind, defaults filled in.
func (in *Inbox) prefs(ctx context.Context, q *store.Queries, userID int64) (map[model.NoteKind]model.Delivery, error) {
	got, err := q.NotePrefs(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, k := range model.NoteKinds {
		if _, ok := got[k]; !ok {
			got[k] = model.DefaultDelivery(k)
		}
	}
	return got, nil
}

// Prefs returns the viewer's delivery for every kind, and under
// DigestList how often they get the digest.
func (in *Inbox) Prefs(ctx context.Context, v model.Viewer) (map[string]string, error) {
	if v.Guest() {
		return nil, apperr.ErrSignIn
	}
	q := in.Store.Read()
	prefs, err := in.prefs(ctx, q, v.UserID())
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, d := range prefs {
		out[string(k)] = string(d)
	}
	digest, err := q.Digest(ctx, v.UserID())
	out[DigestList] = string(digest)
	return out, err
}

// SetPrefs changes the viewer's delivery for the kinds given, and the
// digest's frequency under DigestList; an unknown kind or value is refused
// on its field, and nothing is changed then.
func (in *Inbox) SetPrefs(ctx context.Context, v model.Viewer, prefs map[string]string) (map[string]string, error) {
	if v.Guest() {
		return nil, apperr.ErrSignIn
	}
	if v.Scope == model.ScopeRead {
		return nil, apperr.New(apperr.Forbidden, "This token is read-only.")
	}
	f := apperr.Fields{}
	set := map[model.NoteKind]model.Delivery{}
	digest := model.DigestFrequency("")
	for k, d := range prefs {
		kind := model.NoteKind(k)
		switch {
		case k == DigestList && model.ValidDigest(model.DigestFrequency(d)):
			digest = model.DigestFrequency(d)
		case k == DigestList:
			f.Add(k, "Choose daily, weekly or off.")
		case !slices.Contains(model.NoteKinds, kind):
			f.Add(k, "There is no such kind of notification.")
		case !model.ValidDelivery(model.Delivery(d)):
			f.Add(k, "Choose email, app or off.")
		default:
			set[kind] = model.Delivery(d)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err := in.Store.InTx(ctx, func(q *store.Queries) error {
		if digest != "" {
			if err := q.SetDigest(ctx, v.UserID(), digest); err != nil {
				return err
			}
		}
		return q.SetNotePrefs(ctx, v.UserID(), set)
	})
	if err != nil {
		return nil, err
	}
	return in.Prefs(ctx, v)
}
