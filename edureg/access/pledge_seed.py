"""The first version of the confidentiality pledge, created on migrate when none exists.

The agency edits the text (a new version) in the back office; users accept each new version.
"""

import datetime as dt

PLEDGE_V1_LT = """Aš, tapdamas (-a) registro naudotoju, pasižadu:
1. tvarkyti asmens duomenis tik tiems tikslams, kuriems man suteiktos teisės, ir tik tiek, kiek to reikia mano darbo funkcijoms atlikti;
2. saugoti asmens duomenų paslaptį, neatskleisti ir neperduoti duomenų asmenims, neturintiems teisės jų gauti, taip pat ir pasibaigus darbo santykiams;
3. neperduoti savo prisijungimo duomenų ir antrojo veiksnio priemonių kitiems asmenims;
4. nedelsdamas (-a) pranešti registro tvarkytojui apie įtariamą duomenų saugumo pažeidimą.
Esu informuotas (-a), kad už šio pasižadėjimo pažeidimą atsakau teisės aktų nustatyta tvarka."""

PLEDGE_V1_EN = """On becoming a user of the register, I undertake:
1. to process personal data only for the purposes for which I was granted rights, and only as far as my duties require;
2. to keep personal data confidential, and not to disclose or pass it to anyone not entitled to receive it, also after my employment ends;
3. not to share my sign-in details or second-factor means with anyone;
4. to report any suspected data security breach to the register's controller without delay.
I understand that I am liable under the law for any breach of this pledge."""

PLEDGE_V1_VALID_FROM = dt.date(2024, 1, 1)
