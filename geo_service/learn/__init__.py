"""The learned risk model (学习模型, docs/risk.md): features of every inspection as they stood
on its day (`features`), the models and their explanations (`model`), the back-test over time
against the hand weights (`backtest`), the stored fits (`store`) and the ranking that uses the
model only where its back-test wins (`ranking`).

Above the analytics (it scores the hand weights as of each day with their own formula), below
the commands, the API and the patrol targets that rank with it.
"""
