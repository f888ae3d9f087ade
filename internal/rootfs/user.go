package rootfs

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// CheckUser checks that the names in user (USER[:GROUP]; numeric ids
// always work) are in passwd and group, the contents of an image's
// /etc/passwd and /etc/group (nil: the file is missing). A name the image
// does not know stops the container at its start ("unable to find user").
// where says which image, for the message.
func CheckUser(user string, passwd, group []byte, where string) error {
	name, grp, _ := strings.Cut(user, ":")
	if !numeric(name) && !hasEntry(passwd, name) {
		return fmt.Errorf("user %q is not in %s's /etc/passwd%s, so the container could not start: use a numeric id (such as 65532) or a user the image has", name, where, known(passwd))
	}
	if grp != "" && !numeric(grp) && !hasEntry(group, grp) {
		return fmt.Errorf("group %q is not in %s's /etc/group%s, so the container could not start: use a numeric id (such as 65532) or a group the image has", grp, where, known(group))
	}
	return nil
}

// CheckPlannedUser checks user against the image berth makes itself: with
// system (the auto base) its generated /etc/passwd, which has root and
// nonroot; without (scratch), no /etc/passwd at all, so only numbers work.
// A base image's names are checked after its pull, with CheckUser.
func CheckPlannedUser(user string, system bool) error {
	if system {
		return CheckUser(user, []byte(passwd), []byte(group), "the auto base")
	}
	return CheckUser(user, nil, nil, "the scratch base")
}

func numeric(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// hasEntry reports whether a passwd or group file has an entry named name.
func hasEntry(file []byte, name string) bool {
	return slices.Contains(names(file), name)
}

// names are the first fields of a passwd or group file's entries.
func names(file []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(file))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if n, _, ok := strings.Cut(line, ":"); ok && n != "" {
			out = append(out, n)
		}
	}
	return out
}

// known lists the names a file has, for a message: " (it has root, nonroot)".
func known(file []byte) string {
	if file == nil {
		return ", which it does not have"
	}
	n := names(file)
	if len(n) > 8 {
		n = append(n[:8], "...")
	}
	return " (it has " + strings.Join(n, ", ") + ")"
}
