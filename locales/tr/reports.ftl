# Raporlar: metinleri (Markdown, HTML, sohbet) ve onlarla ilgili yanıtlar.

report-title = MAGNET raporu, { $from } – { $to }
report-made = Hazırlanma zamanı: { $at } ({ $zone }); rakamlar veritabanındaki rapor görünümlerinden alınmıştır.
report-meetings = Toplantılar: { $held } yapıldı, { $cancelled } iptal edildi, { $moved } taşındı.
report-rsvps = Katılım yanıtları: { $yes } evet, { $maybe } belki, { $no } hayır; { $attended } kişi katıldı.
report-reminders = Hatırlatmalar: { $sent } zamanında, { $late } gecikmeli, { $missed } gönderilemedi.
report-summaries = Özetler: { $count }, toplam { $decisions } karar.
report-actions = Eylemler: { $opened } açıldı, { $done } tamamlandı; dönem sonunda { $open } açık, bunların { $overdue } tanesinin süresi geçmiş.
report-activity = Aktarılan mesajlar: { $participants } kişiden { $messages } mesaj.
report-platform = { $platform }: { $participants } kişiden { $messages } mesaj; { $failed } iletim başarısız, { $retried } iletim yeniden denendi.
report-sessions-heading = Oturumlar
report-session-state = { $state ->
    [held] yapıldı
    [cancelled] iptal edildi
    [moved] taşındı
   *[other] planlandı
}
report-session-answers = { $yes } evet, { $maybe } belki, { $no } hayır, { $attended } katılan
report-decisions-heading = Kararlar
report-from-summary = özet #{ $id }, { $date }
report-overdue-heading = Süresi geçmiş eylemler
report-due = son tarih { $date }
report-surveys-heading = Anketler
report-survey-line = { $respondents } kişi yanıtladı; { $state ->
    [open] { $closes } tarihine kadar açık
    [cancelled] iptal edildi
   *[other] { $closes } tarihinde kapandı
}.
report-survey-rate = { $pillar }: { $answered } kişi yanıtladı{ $members ->
    [-1] {""}
   *[other] { "" } ({ $members } üyeden{ $rate ->
        [-1] {""}
       *[other] , %{ $rate }
    })
}
report-survey-hidden = Sonuçlar gösterilmiyor: bu anonim anketi çok az kişi yanıtladı.
report-question-respondents = { $count } yanıt
report-option = { $label }: { $count } (%{ $percent })
report-mean = Ortalama: 5 üzerinden { $mean }
report-texts = Yazılı yanıt sayısı: { $count } (burada gösterilmez).
report-overview-heading = Genel bakış
report-col-held = Yapılan
report-col-cancelled = İptal
report-col-attended = Katılan
report-col-reminders = Gönderilen / gönderilemeyen hatırlatma
report-col-messages = Mesaj
report-col-participants = Kişi
report-col-decisions = Karar
report-col-open-actions = Açık / süresi geçmiş eylem
report-col-failed = Başarısız iletim
report-table-note = Yalnızca sayılar: raporlarda hiçbir mesajın metni yer almaz.
report-chart-activity = Günlük aktarılan mesaj sayısı
report-chart-attendance = Çalışma gruplarına göre yanıtlar ve katılım
report-chart-yes = Evet diyen
report-chart-attended = Katılan
report-chart-answers = Yanıt
report-chat-line = { $held } toplantı yapıldı, { $attended } katılım; { $participants } kişiden { $messages } mesaj; { $decisions } karar; { $open } açık eylem ({ $overdue } tanesinin süresi geçmiş).
report-chat-surveys = Anket sayısı: { $count }.
report-chat-full = Raporun tamamı (HTML, grafiklerle) ektedir.

## Yanıtlar ve hatalar.
report-bad-date = `{ $typed }` bir tarih değil: YYYY-AA-GG biçiminde yazın.
report-from-after-to = Dönemin başlangıcı ({ $from }) bitişinden ({ $to }) sonra.
report-too-long = Bir rapor en çok { $years } yılı kapsayabilir.
report-unwritable = Rapor { $dir } klasörüne yazılamıyor: { $reason }
report-written = { $from } – { $to } raporu { $dir } klasörüne yazıldı: { $files }.
report-unknown-format = `{ $format }` bir rapor biçimi değil: markdown, html ya da csv.
report-made-here = { $from } – { $to } raporu hazırlandı; birazdan burada.
report-other-pillar = Burada yalnızca { $pillar } çalışma grubunun raporu hazırlanabilir; diğer grupların raporları sekretarya odalarında ya da özel mesajla hazırlanabilir.
