package client

// Flush sends the bytes Write has buffered on to the worker (and the under
// storage), so a failure there shows now rather than at Close. The file
// stays incomplete: only Close completes it.
func (w *FileWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		return w.fail(err)
	}
	return nil
}

// Written is how many bytes Write has taken so far.
func (w *FileWriter) Written() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written + int64(len(w.buf))
}

// FileID is the id of the file being written.
func (w *FileWriter) FileID() int64 { return w.fileID }
