//go:build !race

package nango

const raceEnabled = false
