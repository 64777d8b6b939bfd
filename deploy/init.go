package deploy

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

//go:embed starter
var starter embed.FS

// StackName normalises a name as stackql-deploy's init does: lower case,
// with _ turned into -.
func StackName(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "_", "-")
}

// Init writes a starter stack into dir (which must not exist, or be empty):
// a Cognito user pool and a web app client with exists, create,
// statecheck, update, exports and delete queries, ready to build on the
// embedded emulator. The stack is named StackName(name).
func Init(dir, name string) error {
	stack := StackName(name)
	if stack == "" || strings.ContainsAny(stack, `/\ `) {
		return fmt.Errorf("init: %q is not a usable stack name", name)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("init: %s already exists and is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("init: %w", err)
	}
	return fs.WalkDir(starter, "starter", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("starter", filepath.FromSlash(path))
		target := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := starter.ReadFile(path)
		if err != nil {
			return err
		}
		text := strings.ReplaceAll(string(b), "__STACK_NAME__", stack)
		if err := os.WriteFile(target, []byte(text), 0o644); err != nil {
			return fmt.Errorf("init: %w", err)
		}
		return nil
	})
}
