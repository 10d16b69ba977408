# Entry points (see README): `make demo`, `make test` (fast), `make test-all` (what CI
# runs). Each sets up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LINTED := src tests models benchmarks

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,spark,serve]"
	touch $@

.PHONY: demo test test-slow test-all lint model bench
demo: $(VENV)/installed
	$(VENV)/bin/dunning-guard classify \
	  "【招商银行】您尾号1234的信用卡本期账单2,318.50元，到期还款日11月25日，请按时还款。" \
	  "【招联金融】您的借款已逾期12天，逾期金额1,830.55元，请尽快登录招联金融App还款。" \
	  "【平安银行】您的贷款逾期已超过120天，我行已委托律师事务所向法院提起诉讼，请通过平安口袋银行App还款。" \
	  "您的借款已逾期，请立即添加客服薇信 kf8899 处理，否则爆通讯录" \
	  "【國泰世華銀行】您本期信用卡帳單應繳金額NT\$$3,200，繳款截止日11/25，請準時繳款。" \
	  "【顺丰速运】您的快件已到达驿站，取件码8-2-1031，请于今日20点前取件。"

lint: $(VENV)/installed
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy

# The fast suite: everything but the tests marked slow and the notebooks.
test: lint
	$(PY) -m pytest -m "not slow" tests src

# What `test` leaves out: slow tests (wheel, retraining, Spark) and the notebooks.
test-slow: $(VENV)/installed
	$(PY) -m pytest -m slow tests notebooks

test-all: test test-slow

model: $(VENV)/installed
	$(PY) -m models.build

bench: $(VENV)/installed
	$(PY) -m benchmarks.bench --json benchmarks/results.json
