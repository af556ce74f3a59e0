# Botun her yerinde kullandığı sözcükler ve biçimler.

## Tarih ve saat: chrono kalıpları (strftime), dilin yazdığı sırayla; gün ve ay adları
## yerel ayardan gelir.
format-date-time = %-d %b %Y %a, %H:%M
format-date-time-short = %-d %b %a %H:%M
format-time = %H:%M

## Süreler, hatırlatma zamanları gibi: 24 sa, 1 sa 30 dk.
span-days = { $n } gün
span-hours = { $n } sa
span-minutes = { $n } dk
span-seconds = { $n } sn
span-separator = {" "}
span-list-separator = {", "}
span-none = yok

## Dosya boyutları; $size dilin biçiminde yazılmış bir sayıdır.
size-bytes = { $n } bayt
size-kb = { $size } KB
size-mb = { $size } MB

## Bir an, çalışma grubunun saatine göre, sonra UTC olarak (başka bir günse günüyle).
when-with-utc = { $local } { $zone } ({ $utc } UTC)

## Toplantıya yanıtlar.
answer-yes = evet
answer-maybe = belki
answer-no = hayır
button-yes = Evet
button-maybe = Belki
button-no = Hayır
rsvp-counts = { $yes } evet · { $maybe } belki · { $no } hayır
