package password_test

import (
	"strings"
	"testing"

	"assent/password"
)

func TestHashCheck(t *testing.T) {
	for _, p := range []password.Params{password.Fast, password.Default} {
		h, err := password.Hash("correct horse", p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$") {
			t.Fatalf("hash %q is not an argon2id PHC string", h)
		}
		if ok, err := password.Check("correct horse", h); err != nil || !ok {
			t.Fatalf("right password: ok=%v err=%v", ok, err)
		}
		if ok, _ := password.Check("correct horsf", h); ok {
			t.Fatal("wrong password accepted")
		}
		h2, _ := password.Hash("correct horse", p)
		if h == h2 {
			t.Fatal("two hashes of one password are equal: salt not random")
		}
	}
}

func TestCheckMalformed(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if _, err := password.Check("pw", h); err != password.ErrMalformed {
			t.Errorf("Check(%q) err = %v, want ErrMalformed", h, err)
		}
	}
}
