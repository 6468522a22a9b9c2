package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"assent/sqldb/sqldbtest"
	"assent/web"
)

// upload posts a file to an item's file field as c.
func (e *env) upload(c caller, item, field, name string, content []byte) (int, string) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("field", field)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return e.send(c, "POST", "/api/v1/items/"+item+"/attachments", mw.FormDataContentType(), &body)
}

func TestAttachments(t *testing.T) {
	e := newEnvWith(t, sqldbtest.SQLiteURL(t), web.Config{Version: "test", MaxUploadBytes: 1 << 20})
	status, body := e.do(member, "POST", "/api/v1/items", `{"template":{"id":"standard-project"},"name":"Card fraud"}`)
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	var it struct{ ID string }
	decode(t, body, &it)
	doc := []byte("# Requirements\nDetect card fraud within 200 ms.\n")

	status, body = e.upload(member, it.ID, "exploration_documents", `C:\docs\requirements.md`, doc)
	if status != http.StatusCreated || !strings.Contains(body, `"name":"requirements.md"`) || !strings.Contains(body, `"size":48`) {
		t.Fatalf("upload: %d %s", status, body)
	}
	var a struct{ ID string }
	decode(t, body, &a)
	status, body = e.do(viewer, "GET", "/api/v1/items/"+it.ID, "")
	if !strings.Contains(body, `"exploration_documents":["`+a.ID+`"]`) || !strings.Contains(body, `"status":"ONGOING"`) {
		t.Fatalf("item after upload: %s", body)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/attachments/"+a.ID, nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens[viewer])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, doc) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %q %q", resp.StatusCode, got, resp.Header.Get("Content-Disposition"))
	}
	if status, _ := e.do(anonymous, "GET", "/api/v1/attachments/"+a.ID, ""); status != http.StatusUnauthorized {
		t.Fatalf("anonymous download: %d", status)
	}

	t.Run("ErrTooLarge", func(t *testing.T) {
		if status, body := e.upload(member, it.ID, "exploration_documents", "big.bin", make([]byte, 2<<20)); status != http.StatusRequestEntityTooLarge {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("ErrNotAFileField", func(t *testing.T) {
		if status, body := e.upload(member, it.ID, "description", "x.txt", []byte("x")); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"location":"field"`) {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("ErrViewer", func(t *testing.T) {
		if status, _ := e.upload(viewer, it.ID, "exploration_documents", "x.txt", []byte("x")); status != http.StatusForbidden {
			t.Fatalf("%d", status)
		}
	})
}

func TestFileFieldTakesOnlyItsAttachments(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	var ids [2]string
	for i := range ids {
		status, body := e.do(member, "POST", "/api/v1/items", `{"template":{"id":"standard-project"},"name":"P"}`)
		if status != http.StatusCreated {
			t.Fatalf("%d %s", status, body)
		}
		var it struct{ ID string }
		decode(t, body, &it)
		ids[i] = it.ID
	}
	status, body := e.upload(member, ids[0], "exploration_documents", "a.txt", []byte("a"))
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	var a struct{ ID string }
	decode(t, body, &a)
	// The other project cannot claim it, nor can a made-up id be set.
	for _, v := range []string{a.ID, "att_madeup"} {
		if status, body := e.do(member, "PATCH", "/api/v1/items/"+ids[1], `{"fields":{"exploration_documents":["`+v+`"]}}`); status != 422 || !strings.Contains(body, "fields.exploration_documents") {
			t.Fatalf("%s: %d %s", v, status, body)
		}
	}
	// Removing it from its own field is an ordinary edit; the file stays for history.
	if status, body := e.do(member, "PATCH", "/api/v1/items/"+ids[0], `{"fields":{"exploration_documents":[]}}`); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	if status, _ := e.do(viewer, "GET", "/api/v1/attachments/"+a.ID, ""); status != 200 {
		t.Fatalf("download after removal from the field: %d", status)
	}
}

func TestPageUploadNeedsAMember(t *testing.T) {
	e := newEnv(t, sqldbtest.SQLiteURL(t))
	status, body := e.do(member, "POST", "/api/v1/items", `{"template":{"id":"standard-project"},"name":"P"}`)
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, body)
	}
	var it struct{ ID string }
	decode(t, body, &it)
	b := e.browser(t)
	b.signIn("viewer")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("field", "exploration_documents")
	fw, _ := mw.CreateFormFile("file", "x.bin")
	fw.Write(make([]byte, 1<<20))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/items/"+it.ID+"/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer upload: %d", resp.StatusCode)
	}
}
