package view

import (
	"strconv"
	"strings"
	"time"

	"practica/internal/model"
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

// MessagesLabel names the messages link with its count of unread
// conversations, as BellLabel does for the bell.
func MessagesLabel(unread int) string {
	if unread == 0 {
		return "Messages"
	}
	return "Messages, " + UnreadText(unread) + " unread"
}

// UnreadText is the count on the bell: past store.MaxUnread it stops counting.
func UnreadText(unread int) string {
	if unread >= store.MaxUnread {
		return strconv.Itoa(store.MaxUnread-1) + "+"
	}
	return strconv.Itoa(unread)
}

// NoteKindLabel names a kind of notification in settings.
func NoteKindLabel(k model.NoteKind) string {
	switch k {
	case model.NoteMessage:
		return "Direct messages to you"
	case model.NoteReply:
		return "Replies to your discussions"
	case model.NoteAnswer:
		return "Answers to your questions"
	case model.NoteComment:
		return "Comments on your posts"
	case model.NoteMention:
		return "Mentions of you"
	case model.NoteAccepted:
		return "Your answers accepted"
	case model.NoteInvited:
		return "Invitations to answer"
	case model.NotePosted:
		return "New posts in topics you watch"
	case model.NoteStarted:
		return "New topics in spaces you watch, with tags you follow, or by people you follow"
	case model.NoteBadge:
		return "Badges you earn"
	}
	return string(k)
}

// DeliveryLabel names a delivery in settings.
func DeliveryLabel(d model.Delivery) string {
	switch d {
	case model.DeliverEmail:
		return "app and email"
	case model.DeliverApp:
		return "app only"
	}
	return "off"
}

// CommonTimeZones are offered as the time zone field is typed; any IANA
// name is accepted.
var CommonTimeZones = []string{"UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Rome", "Europe/Warsaw",
	"Europe/Helsinki", "Europe/Istanbul", "Africa/Lagos", "Africa/Nairobi", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore",
	"Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Mexico_City", "America/Toronto"}

// LocalTime is the time now in a member's time zone, as their profile
// shows it ("14:05 local time"); empty without a valid zone.
func LocalTime(zone string) string {
	if zone == "" {
		return ""
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return ""
	}
	return time.Now().In(loc).Format("15:04") + " local time (" + zone + ")"
}

// LinkLabel is a link as a profile shows it: the address without its
// scheme or a trailing slash.
func LinkLabel(l string) string {
	l = strings.TrimPrefix(strings.TrimPrefix(l, "https://"), "http://")
	return strings.TrimSuffix(l, "/")
}
