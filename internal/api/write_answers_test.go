package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"practica/internal/api"
)

// TestWriteAnswersMatchReads: a new topic and a reply are answered from
// the write's own transaction (content.CreateTopicPage, ReplyItem); what
// they answer must be what reading them back returns, for a discussion and
// a question.
func TestWriteAnswersMatchReads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, kind := range []string{"discussion", "question"} {
		created := e.call(t, e.Bob, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "kind": kind, "title": "Answered from the write, a " + kind,
			"body": "Does the **answer** match?", "tags": []string{"testing"}}, http.StatusCreated)
		topic := decode[api.TopicDetail](t, created)
		read := decode[api.TopicDetail](t, e.call(t, e.Bob, "GET", fmt.Sprintf("/api/v1/topics/%d?include=body", topic.ID), nil, http.StatusOK))
		if !reflect.DeepEqual(topic, read) {
			t.Errorf("%s: created\n%+v\nread back\n%+v", kind, topic, read)
		}
		if len(topic.Posts) != 1 || topic.Posts[0].Body != "Does the **answer** match?" || topic.Author == nil || topic.Author.Username != e.Bob.Username {
			t.Errorf("%s: created %+v", kind, topic)
		}

		reply := decode[api.Post](t, e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", topic.ID), map[string]any{"body": "It does."}, http.StatusCreated))
		readReply := decode[api.Post](t, e.call(t, e.Alice, "GET", fmt.Sprintf("/api/v1/posts/%d", reply.ID), nil, http.StatusOK))
		if !reflect.DeepEqual(reply, readReply) {
			t.Errorf("%s reply: created\n%+v\nread back\n%+v", kind, reply, readReply)
		}
		if reply.Author == nil || reply.Author.Username != e.Alice.Username || reply.TopicID != topic.ID || reply.Body != "It does." {
			t.Errorf("%s reply: %+v", kind, reply)
		}
	}
}
