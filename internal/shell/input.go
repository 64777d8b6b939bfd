package shell

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/peterh/liner"
)

// ErrAborted is a LineReader's answer to Ctrl-C at the prompt: discard the
// statement being typed.
var ErrAborted = errors.New("input aborted")

// LineReader reads input a line at a time, without its line break. io.EOF
// ends the input; ErrAborted discards the statement being typed.
type LineReader interface {
	ReadLine(prompt string) (string, error)
}

// TerminalReader reads from the terminal with liner's line editing.
type TerminalReader struct{ State *liner.State }

// ReadLine prompts and reads one edited line.
func (r TerminalReader) ReadLine(prompt string) (string, error) {
	line, err := r.State.Prompt(prompt)
	if errors.Is(err, liner.ErrPromptAborted) {
		return "", ErrAborted
	}
	return line, err
}

// PipeReader reads lines from a pipe or a file. liner is not used there: it
// would read the process's stdin whatever the reader, and echo prompts.
type PipeReader struct {
	r       *bufio.Reader
	prompts io.Writer
}

// NewPipeReader reads lines from r, writing each prompt to prompts when it
// is not nil (a terminal typing into a shell whose stdout is redirected).
func NewPipeReader(r io.Reader, prompts io.Writer) *PipeReader {
	return &PipeReader{r: bufio.NewReader(r), prompts: prompts}
}

// ReadLine reads one line; a last line without a line break is a line, and
// the call after it gives io.EOF.
func (r *PipeReader) ReadLine(prompt string) (string, error) {
	if r.prompts != nil {
		fmt.Fprint(r.prompts, prompt)
	}
	line, err := r.r.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
