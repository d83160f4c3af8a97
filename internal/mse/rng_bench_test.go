package mse

import "testing"

func BenchmarkBinomialInv300x002(b *testing.B) {
	g := newRNG(1, 2)
	s := 0
	for b.Loop() {
		s += g.binomial(300, 0.02)
	}
	_ = s
}

func BenchmarkBinomialBTRD1000x03(b *testing.B) {
	g := newRNG(1, 2)
	s := 0
	for b.Loop() {
		s += g.binomial(1000, 0.3)
	}
	_ = s
}

func BenchmarkGamma25(b *testing.B) {
	g := newRNG(1, 2)
	s := 0.0
	for b.Loop() {
		s += g.gamma(25)
	}
	_ = s
}
