package view

import (
	"strconv"

	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/store"
)

// BellLabel names the notifications link for screen readers.
func BellLabel(unread int) string {
	switch {
	case unread == 0:
		return "Notifications"
	case unread == 1:
		return "Notifications, 1 unread"
	}
	return "Notifications, " + UnreadText(unread) + " unread"
}

// UnreadText is the count on the bell: past store.MaxUnread it stops counting.
func UnreadText(unread int) string {
	if unread >= store.MaxUnread {
		return strconv.Itoa(store.MaxUnread-1) + "+"
	}
	return strconv.Itoa(unread)
}

// NoteText says what happened, before the topic's title.
func NoteText(it notify.Item) string {
	who := actorName(it)
	switch it.Kind {
	case model.NoteReply:
		return who + " replied to"
	case model.NoteAnswer:
		return who + " answered"
	case model.NoteComment:
		return who + " commented on your post in"
	case model.NoteMention:
		return who + " mentioned you in"
	case model.NoteAccepted:
		return who + " accepted your answer to"
	case model.NoteInvited:
		return who + " asked you to answer"
	case model.NoteBadge:
		return "You earned the " + it.Badge.Name + " badge."
	}
	return who + " wrote in"
}

func actorName(it notify.Item) string {
	if it.Actor.Username == "" {
		return "Someone" // an account since removed
	}
	return it.Actor.Name()
}
