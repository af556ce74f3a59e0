# Surveys: what the bot posts, and its answers about them.

## The survey's own message.
survey-header = 📊 **Survey #{ $id }: { $title }**
survey-closes = Open until { $when }.
survey-anonymous-note = Anonymous: nobody, the secretariat included, can see who answered what. An answer cannot be changed once given.
# $number is the question's place, $prompt its text (both as shown).
survey-question = **{ $number }. { $prompt }**{ $kind }
survey-kind-multiple = { " " }(up to { $max })
survey-kind-rating = { " " }(1 to 5)
survey-kind-text = { " " }(in your own words, up to 500 characters)
survey-kind-poll = { " " }(in the poll below)
survey-option = { $number }) { $option }
# Matrix: how to answer what is not a poll; $command is the command to type.
survey-how-matrix = To answer, send `{ $command }` in a direct message to me (the number of the question, then your answer: the number or the words of a choice, a rating, or your text).
survey-how-discord = Answer with the menus and buttons below: only you see your answer.
survey-how-polls = Vote in the polls below; you can change your vote until the survey closes.
survey-menu-placeholder = { $number }. Choose…
survey-rating-option = { $n } of 5
survey-text-button = { $number }. Write your answer

## Answers to an answer: seen only by the person where the platform allows.
survey-answer-new = Thank you: your answer to question { $number } of survey #{ $id } is counted.
survey-answer-replaced = Thank you: your answer to question { $number } of survey #{ $id } is changed.
survey-answer-anonymous = Thank you: your answer to question { $number } of survey #{ $id } is counted anonymously. It cannot be changed.
survey-answer-withdrawn = Your answer to question { $number } of survey #{ $id } is withdrawn.
survey-answer-closed = Survey #{ $id } is closed: answers are no longer counted.
survey-answer-already = You have answered question { $number } of the anonymous survey #{ $id } already; an anonymous answer cannot be changed.
survey-answer-empty = The answer is empty.
survey-answer-not-a-choice = `{ $typed }` is not one of the { $count } choices: answer with a number from 1 to { $count } or the words of a choice.
survey-answer-too-many = Choose at most { $max }.
survey-answer-not-a-rating = `{ $typed }` is not a rating: answer with a number from 1 to 5.
survey-answer-too-long = The answer has { $length } characters; at most { $max } are taken.
survey-unknown = There is no survey #{ $id }.
survey-no-such-question = Survey #{ $id } has no question { $number }: it has { $count ->
    [one] one
   *[other] { $count }
}.

## Starting a survey: what is wrong with it.
survey-no-question = A survey needs a question: write it under the command, `Q: …` with its choices as `- …` lines.
survey-too-many-questions = A survey has at most 5 questions; this one has { $count }.
survey-empty-prompt = Question { $number } has no text.
survey-prompt-too-long = Question { $number } is too long: at most { $max } characters.
survey-too-few-options = Question { $number } has { $count ->
    [0] no choices
    [one] one choice
   *[other] { $count } choices
}; a choice question needs 2 to 10.
survey-too-many-options = Question { $number } has { $count } choices; at most 10.
survey-empty-option = Question { $number } has an empty choice.
survey-option-too-long = Choice `{ $option }` of question { $number } is too long: at most { $max } characters (Discord's limit for a poll answer).
survey-same-option = Question { $number } has `{ $option }` twice.
survey-max-out-of-range = Question { $number } allows up to { $max } choices but has { $count }.
survey-options-not-taken = Question { $number } is a rating or a text and takes no choices.
survey-body-choice-first = Line { $line }: a choice (`- …`) before any question (`Q: …`).
survey-body-unreadable = Line { $line }: `{ $text }` is neither a question (`Q: …`) nor a choice (`- …`).
survey-body-unknown-kind = Line { $line }: `({ $kind })` is not a kind of question: use (up to N), (rating) or (text).
survey-deadline-past = The deadline { $when } has passed already.
survey-deadline-too-far = The deadline is at most { $days } days away.
survey-nudge-too-late = The reminder { $span } before the deadline would come before the survey opens.
survey-unknown-pillar = There is no pillar `{ $pillar }`; pillars: { $known }.
survey-anonymous-needs-key = Anonymous surveys need a key for the voters' hashes: set [surveys] voter_key_env or voter_key_file.

## Started, closed, cancelled: answers to the secretariat.
survey-started = Survey #{ $id } is posted to { $rooms ->
    [one] one room
   *[other] { $rooms } rooms
} of { $pillars }; it closes { $when }.
survey-started-before = This command was carried out already: it started survey #{ $id }.
survey-closed-now = Survey #{ $id } is closed; the results are being posted.
survey-not-open = Survey #{ $id } is { $state } already.
survey-cancelled-now = Survey #{ $id } is cancelled; nothing more is counted.
survey-state = { $state ->
    [open] open
    [closed] closed
   *[cancelled] cancelled
}

## Posted to the survey's rooms.
survey-nudge = ⏰ Survey #{ $id } “{ $title }” closes { $when }: { $count ->
    [0] no answers yet
    [one] one answer so far
   *[other] { $count } answers so far
}.
survey-cancelled-notice = Survey #{ $id } “{ $title }” was cancelled; its answers are not counted.
survey-results-title = 📊 **Results of survey #{ $id }: { $title }**
survey-results-respondents = { $count ->
    [0] Nobody answered.
    [one] One person answered.
   *[other] { $count } people answered.
}
survey-results-line = `{ $bar }` { $percent } % ({ $count }) { $label }
survey-results-mean = Mean: { $mean } of 5.
survey-results-texts = { $count ->
    [one] One written answer
   *[other] { $count } written answers
}: the secretariat reads them with `{ $command }`.
survey-results-rate = { $pillar }: { $respondents } of { $members } members answered ({ $percent } %).
survey-results-rate-unknown = { $pillar }: { $respondents } answered.
survey-results-hidden = Anonymous survey: results are shown once at least { $min } people have answered; { $count } did.
survey-poll-ended = The survey is closed.

## `survey list` and `survey show`.
survey-list-title = Surveys:
survey-list-line = • #{ $id } { $title }: { $state }, closes { $when }; { $count ->
    [0] no answers
    [one] one answer
   *[other] { $count } answers
}
survey-list-none = No survey is open, and none closed in the last 30 days.
survey-show-state = { $state }; closes { $when }; { $count ->
    [0] no answers yet
    [one] one answer so far
   *[other] { $count } answers so far
}.

## Linking one's Matrix and Discord accounts.
link-ask-privately = Ask for your code where only you see it: `/magnet link` on Discord. Then send `!magnet link CODE` on Matrix.
link-code = Your code is `{ $code }`. Within { $minutes } minutes, send `!magnet link { $code }` on Matrix, in any room where I am. Give it to nobody else: whoever sends it is linked with you.
link-done = Linked with your { $platform } account { $user }: surveys and meeting answers count you once.
link-unknown = That code is not known (or was used already). Ask for a new one with `/magnet link` on Discord.
link-expired = That code has expired. Ask for a new one with `/magnet link` on Discord.
link-same-platform = That code was asked for on this platform: send it on the other one.
unlink-done = Your accounts are no longer linked.
unlink-none = This account is not linked with another.

## A survey attached to a meeting (`survey attach`).
survey-no-meeting = There is no meeting #{ $id }.
survey-attached = A survey is attached to meeting #{ $meeting } “{ $title }”: it opens when each of its sessions ends and closes { $span } later.
# The standard feedback, in the pillar's language; $meeting is the meeting's title.
survey-feedback-title = Feedback: { $meeting }
survey-feedback-rating = How useful was this meeting?
survey-feedback-change = What should change next time?
