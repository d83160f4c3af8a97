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
	// inner, when set, is the group holding another warning, translated
	// in its turn (its text in ko is ${inner}).
	inner int
}{
	{regexp.MustCompile(`^stratum ("[^"]*"): (.*)$`), "층 ${1}: ${inner}", 2},
	{regexp.MustCompile(`^in every linkage draw: (.*)$`), "모든 연결 표본에서: ${inner}", 1},
	{regexp.MustCompile(`^in (\d+) of (\d+) linkage draws, for example: (.*)$`), "연결 표본 ${2}개 중 ${1}개에서, 예를 들어: ${inner}", 3},
	{regexp.MustCompile(`^the (\d+) documented people are a floor: the true number is at least this, whatever the estimate says$`), "기록된 ${1}명은 하한입니다: 추정치가 무엇이든 실제 인원은 적어도 이만큼입니다", 0},
	{regexp.MustCompile(`^people who are hard to document tend to be missed by every list \(heterogeneous capture\); this biases every method downward, so the true number may lie above the interval$`), "기록되기 어려운 사람은 모든 목록에서 빠지기 쉽습니다 (이질적 포획). 이 때문에 모든 방법이 낮게 추정하며, 실제 인원은 구간보다 클 수 있습니다", 0},
	{regexp.MustCompile(`^low sample coverage: on average only (\d+)% of a list is also on another list \(Chao's coverage estimate; below (\d+)% the lists say little about the unseen and every estimate leans on its model\)$`), "표본 포괄도가 낮습니다: 한 목록에 오른 사람 중 평균 ${1}%만 다른 목록에도 있습니다 (차오의 포괄도 추정. ${2}% 미만이면 목록들이 보이지 않는 사람에 대해 말해 주는 것이 적고 모든 추정치가 모형에 기댑니다)", 0},
	{regexp.MustCompile(`^latent classes that every list captures with probability below (\d+)% hold (\d+)% of the population on average \(posterior mean\): their size rests on the model, hardly on the lists$`), "모든 목록의 포획 확률이 ${1}% 미만인 잠재계층이 평균 인구의 ${2}%를 차지합니다 (사후 평균): 그 크기는 목록이 아니라 거의 모형에 달려 있습니다", 0},
	{regexp.MustCompile(`^methods disagree beyond their intervals: (\S+) gives (\d+) \[(\d+), (\d+)\], (\S+) gives (\d+) \[(\d+), (\d+)\]; at least one model does not fit these lists$`), "방법들이 구간을 넘어 어긋납니다: ${1}은 ${2} [${3}, ${4}], ${5}는 ${6} [${7}, ${8}]. 적어도 한 모형은 이 목록들에 맞지 않습니다", 0},
	{regexp.MustCompile(`^effective sample size (\d+) < 400 over all linkage draws: the interval limits are imprecise; run longer$`), "모든 연결 표본을 합친 유효 표본 크기 ${1} < 400: 구간의 끝이 부정확합니다. 더 길게 돌리십시오", 0},
	{regexp.MustCompile(`^with 3 lists the graphs differ little in fit: the averaged estimate leans on the priors$`), "목록이 3개면 그래프들의 적합도 차이가 작아 평균 추정치가 사전분포에 기댑니다", 0},
	{regexp.MustCompile(`^the posterior of N is still heavy at the end of the grid \((\d+) missing, ([^ ]+) of the mass in its upper half\): the upper limit is truncated and the data say little about the unseen$`), "격자 끝(누락 ${1}명)에서도 N의 사후분포가 두껍습니다 (위쪽 절반에 질량의 ${2}): 상한이 잘렸고 자료가 보이지 않는 사람에 대해 말해 주는 것이 적습니다", 0},
	{regexp.MustCompile(`^strata (.*) hold persons in some linkage draws only: they have no pooled estimate of their own \(the total counts them\)$`), "층 ${1}은 일부 연결 표본에만 사람이 있어 따로 합친 추정치가 없습니다 (전체 합계에는 들어갑니다)", 0},
	{regexp.MustCompile(`^(\d+) events of type (.*) have no date and (\d+) a date that may or may not lie in the period \(such as "1990s"\): they are not counted, so the estimate may be low$`), "유형이 ${2}인 사건 중 ${1}건은 날짜가 없고 ${3}건은 기간 안에 드는지 알 수 없는 날짜입니다 (예: \"1990년대\"): 세지 않았으므로 추정치가 낮을 수 있습니다", 0},
	{regexp.MustCompile(`^stratum ("[^"]*") is too sparse \((\d+) people observed, fewer than (\d+)\): its estimate is unreliable$`), "층 ${1}은 너무 성깁니다 (기록 ${2}명, ${3}명 미만): 이 층의 추정치는 믿기 어렵습니다", 0},
	{regexp.MustCompile(`^stratum ("[^"]*") has no finite estimate$`), "층 ${1}에는 유한한 추정치가 없습니다", 0},
	{regexp.MustCompile(`^the table is empty$`), "표가 비어 있습니다", 0},
	{regexp.MustCompile(`^list ("[^"]*") is empty$`), "목록 ${1}이 비어 있습니다", 0},
	{regexp.MustCompile(`^lists ("[^"]*") and ("[^"]*") never overlap$`), "목록 ${1}과 ${2}는 겹치는 사람이 없습니다", 0},
	{regexp.MustCompile(`^sparse table: (\d+) of (\d+) capture patterns are empty$`), "성긴 표: 포획 유형 ${2}개 중 ${1}개가 비어 있습니다", 0},
	{regexp.MustCompile(`^no person is on more than one list: (.*)$`), "두 목록 이상에 오른 사람이 없습니다: 목록들이 보이지 않는 사람에 대해 아무것도 알려 주지 않습니다", 0},
	{regexp.MustCompile(`^a lower bound under heterogeneous capture, not an estimate of N$`), "이질적 포획에서의 하한이지 전체 인원의 추정치가 아닙니다", 0},
	{regexp.MustCompile(`^no one is on exactly two lists: bias-corrected form (.*) used$`), "정확히 두 목록에 오른 사람이 없어 편향 보정식 ${1}을 썼습니다", 0},
	{regexp.MustCompile(`^few people seen once \(([^)]*)\) or twice \(([^)]*)\): the bound is imprecise$`), "한 번(${1}) 또는 두 번(${2}) 기록된 사람이 적어 하한이 부정확합니다", 0},
	{regexp.MustCompile(`^with 3 lists a latent-class model has few degrees of freedom: the estimate leans on the prior$`), "목록이 3개면 잠재계층 모형의 자유도가 작아 추정치가 사전분포에 기댑니다", 0},
	{regexp.MustCompile(`^chains disagree \(R-hat ([0-9.]+) > 1\.05\): run longer$`), "사슬들이 일치하지 않습니다 (R̂ ${1} > 1.05): 더 길게 돌리십시오", 0},
	{regexp.MustCompile(`^one chain: R-hat cannot be computed$`), "사슬이 하나뿐이라 R̂을 계산할 수 없습니다", 0},
	{regexp.MustCompile(`^effective sample size (\d+) < 400: the interval limits are imprecise; run longer$`), "유효 표본 크기 ${1} < 400: 구간의 끝이 부정확합니다. 더 길게 돌리십시오", 0},
	{regexp.MustCompile(`^n0 was redrawn (\d+) times because it exceeded the cap (.*): the posterior is truncated$`), "보이지 않은 인원(n0)이 상한 ${2}을 넘어 ${1}번 다시 뽑혔습니다: 사후분포가 잘렸습니다", 0},
	{regexp.MustCompile(`^the upper limit exceeds 20 times the number observed: the data say little about the unseen$`), "상한이 기록된 인원의 20배를 넘습니다: 자료가 보이지 않는 사람에 대해 말해 주는 것이 적습니다", 0},
	{regexp.MustCompile(`^only (\d+) people observed: log-linear estimates are unreliable$`), "기록된 사람이 ${1}명뿐이라 로그선형 추정치를 믿기 어렵습니다", 0},
	{regexp.MustCompile(`^(\d+) of (\d+) models were not ranked because their estimate of the unobserved cell does not exist$`), "모형 ${2}개 중 ${1}개는 관측되지 않은 칸의 추정치가 없어 순위에서 뺐습니다", 0},
	{regexp.MustCompile(`^selected model: (.*)$`), "선택된 모형: ${1}", 0},
	{regexp.MustCompile(`^the maximum-likelihood estimate of the unobserved cell does not exist \(zero cells force it to infinity\)$`), "관측되지 않은 칸의 최대가능도 추정치가 없습니다 (0인 칸 때문에 무한대로 갑니다)", 0},
	{regexp.MustCompile(`^boundary fit: (\d+) empty cells fitted as 0 \(some interactions at −∞\); the estimate of the unobserved cell is still determined$`), "경계 적합: 빈 칸 ${1}개를 0으로 맞췄습니다 (일부 상호작용이 −∞). 관측되지 않은 칸의 추정치는 여전히 정해집니다", 0},
	{regexp.MustCompile(`^the fit did not converge in (\d+) iterations$`), "적합이 ${1}번 반복 안에 수렴하지 않았습니다", 0},
	{regexp.MustCompile(`^the selected model fits poorly \(deviance ([0-9.]+) on ([0-9.]+) df, p = ([^)]*)\)$`), "선택된 모형의 적합도가 나쁩니다 (이탈도 ${1}, 자유도 ${2}, p = ${3})", 0},
	{regexp.MustCompile(`^the profile likelihood does not fall below the cut-off: the upper limit is unbounded$`), "프로파일 가능도가 기준선 아래로 내려가지 않습니다: 상한이 없습니다", 0},
	{regexp.MustCompile(`^the estimate is (\d+) times the number observed: probably a boundary or sparse-data artefact$`), "추정치가 기록된 인원의 ${1}배입니다: 경계나 성긴 자료에서 생긴 인공물일 가능성이 큽니다", 0},
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
	for _, p := range warningKo {
		m := p.re.FindStringSubmatchIndex(w)
		if m == nil {
			continue
		}
		ko := p.ko
		if p.inner > 0 { // a warning about another one: translate that too
			inner := w[m[2*p.inner]:m[2*p.inner+1]]
			k := koWarning(inner)
			if k == inner {
				continue
			}
			ko = strings.Replace(ko, "${inner}", strings.ReplaceAll(k, "$", "$$"), 1)
		}
		return string(p.re.ExpandString(nil, ko, w, m))
	}
	return w
}
