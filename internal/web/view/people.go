package view

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"practica/internal/store"
)

// profileTabList names a profile's tabs: path segment and label.
var profileTabList = [][2]string{{"", "Overview"}, {"questions", "Questions"}, {"answers", "Answers"}, {"discussions", "Discussions"}, {"badges", "Badges"}, {"reputation", "Reputation"}}

// profileTabURL is the address of one tab of a profile, in an order.
func profileTabURL(username, tab, sort string) string {
	u := "/u/" + url.PathEscape(username)
	if tab != "" {
		u += "/" + tab
	}
	if sort != "" {
		u += "?sort=" + url.QueryEscape(sort)
	}
	return u
}

// profileEmpty explains an empty tab.
func profileEmpty(tab string) string {
	switch tab {
	case "questions":
		return "Questions this member asks show up here."
	case "discussions":
		return "Discussions this member starts show up here."
	}
	return "Answers this member writes show up here."
}

func kindIcon(tab string) string {
	if tab == "questions" {
		return "question"
	}
	return "discussion"
}

// demonstratedTitle says what a demonstrated tag counts.
func demonstratedTitle(d store.TagRecord) string {
	s := fmt.Sprintf("%d %s accepted or voted up", d.Answers, Plural(d.Answers, "answer", "answers"))
	if d.Accepted > 0 {
		s += fmt.Sprintf(", %d accepted", d.Accepted)
	}
	return s
}

// withPage adds a page number to a list's address.
func withPage(base string, page int) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "page=" + strconv.Itoa(page)
}

func firstN(list []string, n int) []string { return list[:min(n, len(list))] }
