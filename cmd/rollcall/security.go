package main

import "github.com/spf13/cobra"

// securityCommands is a stub until the security commands land.
func (m *Main) securityCommands() []*cobra.Command { return nil }
