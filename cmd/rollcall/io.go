package main

import "github.com/spf13/cobra"

// ioCommands is a stub until the io commands land.
func (m *Main) ioCommands() []*cobra.Command { return nil }
