package main

import "github.com/spf13/cobra"

// storeCommands is a stub until the store commands land.
func (m *Main) storeCommands() []*cobra.Command { return nil }
