package web

import (
	"regexp"
	"strings"
)

// warningKo translates the warnings internal/estimate/mse writes into a
// stored result (English sentences with numbers and names) into Korean,
// sentence pattern by pattern; a warning no pattern knows stays in
// English rather than be guessed at. The numbers and names are kept.
var warningKo = []struct {
	re *regexp.Regexp
	ko string
}{
	{regexp.MustCompile(`^stratum ("[^"]*"): (.*)$`), "층 ${1}: ${2}"}, // the inner part is translated too
	{regexp.MustCompile(`^stratum ("[^"]*") is too sparse \((\d+) people observed, fewer than (\d+)\): its estimate is unreliable$`), "층 ${1}은 너무 성깁니다 (기록 ${2}명, ${3}명 미만): 이 층의 추정치는 믿기 어렵습니다"},
	{regexp.MustCompile(`^stratum ("[^"]*") has no finite estimate$`), "층 ${1}에는 유한한 추정치가 없습니다"},
	{regexp.MustCompile(`^the table is empty$`), "표가 비어 있습니다"},
	{regexp.MustCompile(`^list ("[^"]*") is empty$`), "목록 ${1}이 비어 있습니다"},
	{regexp.MustCompile(`^lists ("[^"]*") and ("[^"]*") never overlap$`), "목록 ${1}과 ${2}는 겹치는 사람이 없습니다"},
	{regexp.MustCompile(`^sparse table: (\d+) of (\d+) capture patterns are empty$`), "성긴 표: 포획 유형 ${2}개 중 ${1}개가 비어 있습니다"},
	{regexp.MustCompile(`^no person is on more than one list: (.*)$`), "두 목록 이상에 오른 사람이 없습니다: 목록들이 보이지 않는 사람에 대해 아무것도 알려 주지 않습니다"},
	{regexp.MustCompile(`^a lower bound under heterogeneous capture, not an estimate of N$`), "이질적 포획에서의 하한이지 전체 인원의 추정치가 아닙니다"},
	{regexp.MustCompile(`^no one is on exactly two lists: bias-corrected form (.*) used$`), "정확히 두 목록에 오른 사람이 없어 편향 보정식 ${1}을 썼습니다"},
	{regexp.MustCompile(`^few people seen once \(([^)]*)\) or twice \(([^)]*)\): the bound is imprecise$`), "한 번(${1}) 또는 두 번(${2}) 기록된 사람이 적어 하한이 부정확합니다"},
	{regexp.MustCompile(`^with 3 lists a latent-class model has few degrees of freedom: the estimate leans on the prior$`), "목록이 3개면 잠재계층 모형의 자유도가 작아 추정치가 사전분포에 기댑니다"},
	{regexp.MustCompile(`^chains disagree \(R-hat ([0-9.]+) > 1\.05\): run longer$`), "사슬들이 일치하지 않습니다 (R̂ ${1} > 1.05): 더 길게 돌리십시오"},
	{regexp.MustCompile(`^one chain: R-hat cannot be computed$`), "사슬이 하나뿐이라 R̂을 계산할 수 없습니다"},
	{regexp.MustCompile(`^effective sample size (\d+) < 400: the interval limits are imprecise; run longer$`), "유효 표본 크기 ${1} < 400: 구간의 끝이 부정확합니다. 더 길게 돌리십시오"},
	{regexp.MustCompile(`^n0 was redrawn (\d+) times because it exceeded the cap (.*): the posterior is truncated$`), "보이지 않은 인원(n0)이 상한 ${2}을 넘어 ${1}번 다시 뽑혔습니다: 사후분포가 잘렸습니다"},
	{regexp.MustCompile(`^the upper limit exceeds 20 times the number observed: the data say little about the unseen$`), "상한이 기록된 인원의 20배를 넘습니다: 자료가 보이지 않는 사람에 대해 말해 주는 것이 적습니다"},
	{regexp.MustCompile(`^only (\d+) people observed: log-linear estimates are unreliable$`), "기록된 사람이 ${1}명뿐이라 로그선형 추정치를 믿기 어렵습니다"},
	{regexp.MustCompile(`^(\d+) of (\d+) models were not ranked because their estimate of the unobserved cell does not exist$`), "모형 ${2}개 중 ${1}개는 관측되지 않은 칸의 추정치가 없어 순위에서 뺐습니다"},
	{regexp.MustCompile(`^selected model: (.*)$`), "선택된 모형: ${1}"},
	{regexp.MustCompile(`^the maximum-likelihood estimate of the unobserved cell does not exist \(zero cells force it to infinity\)$`), "관측되지 않은 칸의 최대가능도 추정치가 없습니다 (0인 칸 때문에 무한대로 갑니다)"},
	{regexp.MustCompile(`^boundary fit: (\d+) empty cells fitted as 0 \(some interactions at −∞\); the estimate of the unobserved cell is still determined$`), "경계 적합: 빈 칸 ${1}개를 0으로 맞췄습니다 (일부 상호작용이 −∞). 관측되지 않은 칸의 추정치는 여전히 정해집니다"},
	{regexp.MustCompile(`^the fit did not converge in (\d+) iterations$`), "적합이 ${1}번 반복 안에 수렴하지 않았습니다"},
	{regexp.MustCompile(`^the selected model fits poorly \(deviance ([0-9.]+) on ([0-9.]+) df, p = ([^)]*)\)$`), "선택된 모형의 적합도가 나쁩니다 (이탈도 ${1}, 자유도 ${2}, p = ${3})"},
	{regexp.MustCompile(`^the profile likelihood does not fall below the cut-off: the upper limit is unbounded$`), "프로파일 가능도가 기준선 아래로 내려가지 않습니다: 상한이 없습니다"},
	{regexp.MustCompile(`^the estimate is (\d+) times the number observed: probably a boundary or sparse-data artefact$`), "추정치가 기록된 인원의 ${1}배입니다: 경계나 성긴 자료에서 생긴 인공물일 가능성이 큽니다"},
}

// Warning is an estimation warning in the page's language.
func (v *View) Warning(w string) string {
	if v.Lang != "ko" {
		return w
	}
	return koWarning(w)
}

func koWarning(w string) string {
	w = strings.TrimSpace(w)
	for i, p := range warningKo {
		m := p.re.FindStringSubmatchIndex(w)
		if m == nil {
			continue
		}
		if i == 0 { // "stratum X: inner": translate the inner warning
			inner := w[m[4]:m[5]]
			if k := koWarning(inner); k != inner {
				return "층 " + w[m[2]:m[3]] + ": " + k
			}
			continue
		}
		return string(p.re.ExpandString(nil, p.ko, w, m))
	}
	return w
}
