# Anketler: botun paylaştıkları ve anketlerle ilgili yanıtları.

## Anketin kendi mesajı.
survey-header = 📊 **Anket #{ $id }: { $title }**
survey-closes = { $when } tarihine kadar açık.
survey-anonymous-note = Anonim: kimin neyi yanıtladığını sekretarya dahil kimse göremez. Verilen yanıt sonradan değiştirilemez.
# $number sorunun sırası, $prompt metnidir (gösterildiği gibi).
survey-question = **{ $number }. { $prompt }**{ $kind }
survey-kind-multiple = { " " }(en çok { $max } seçenek)
survey-kind-rating = { " " }(1 ile 5 arası)
survey-kind-text = { " " }(kendi sözlerinizle, en çok 500 karakter)
survey-kind-poll = { " " }(aşağıdaki oylamada)
survey-option = { $number }) { $option }
# Matrix: oylama olmayan soruların nasıl yanıtlanacağı; $command yazılacak komuttur.
survey-how-matrix = Yanıtlamak için bana özel mesajla `{ $command }` gönderin (önce sorunun numarası, sonra yanıtınız: bir seçeneğin numarası ya da metni, bir puan ya da kendi metniniz).
survey-how-discord = Aşağıdaki menüler ve düğmelerle yanıtlayın: yanıtınızı yalnızca siz görürsünüz.
survey-how-polls = Aşağıdaki oylamalarda oy verin; anket kapanana dek oyunuzu değiştirebilirsiniz.
survey-menu-placeholder = { $number }. Seçin…
survey-rating-option = 5 üzerinden { $n }
survey-text-button = { $number }. Yanıtınızı yazın

## Bir yanıta verilen yanıtlar: platform izin veriyorsa yalnızca kişi görür.
survey-answer-new = Teşekkürler: #{ $id } numaralı anketin { $number }. sorusuna yanıtınız sayıldı.
survey-answer-replaced = Teşekkürler: #{ $id } numaralı anketin { $number }. sorusuna yanıtınız güncellendi.
survey-answer-anonymous = Teşekkürler: #{ $id } numaralı anketin { $number }. sorusuna yanıtınız anonim olarak sayıldı. Değiştirilemez.
survey-answer-withdrawn = #{ $id } numaralı anketin { $number }. sorusuna yanıtınız geri alındı.
survey-answer-closed = #{ $id } numaralı anket kapandı: artık yanıt sayılmıyor.
survey-answer-already = #{ $id } numaralı anonim anketin { $number }. sorusunu zaten yanıtladınız; anonim bir yanıt değiştirilemez.
survey-answer-empty = Yanıt boş.
survey-answer-not-a-choice = `{ $typed }` { $count } seçenekten biri değil: 1 ile { $count } arasında bir numarayla ya da bir seçeneğin metniyle yanıtlayın.
survey-answer-too-many = En çok { $max } seçenek seçin.
survey-answer-not-a-rating = `{ $typed }` bir puan değil: 1 ile 5 arasında bir sayıyla yanıtlayın.
survey-answer-too-long = Yanıt { $length } karakter; en çok { $max } karakter olabilir.
survey-unknown = #{ $id } numaralı bir anket yok.
survey-no-such-question = #{ $id } numaralı ankette { $number }. soru yok; ankette { $count } soru var.
## Anket başlatma: neyin yanlış olduğu.
survey-no-question = Ankette en az bir soru olmalı: soruyu komutun altına `S: …` biçiminde, seçenekleri de `- …` satırları olarak yazın.
survey-too-many-questions = Bir ankette en çok 5 soru olabilir; bu ankette { $count } soru var.
survey-empty-prompt = { $number }. sorunun metni yok.
survey-prompt-too-long = { $number }. soru çok uzun: en çok { $max } karakter.
survey-too-few-options = { $number }. soruda { $count ->
    [0] hiç seçenek yok
   *[other] yalnızca { $count } seçenek var
}; seçenekli bir soruda 2 ile 10 arasında seçenek olmalı.
survey-too-many-options = { $number }. soruda { $count } seçenek var; en çok 10 olabilir.
survey-empty-option = { $number }. soruda boş bir seçenek var.
survey-option-too-long = { $number }. sorunun `{ $option }` seçeneği çok uzun: en çok { $max } karakter (Discord'un oylama yanıtı sınırı).
survey-same-option = { $number }. soruda `{ $option }` iki kez geçiyor.
survey-max-out-of-range = { $number }. soru en çok { $max } seçime izin veriyor ama { $count } seçeneği var.
survey-options-not-taken = { $number }. soru bir puan ya da metin sorusu; seçenek almaz.
survey-body-choice-first = { $line }. satır: herhangi bir sorudan (`S: …`) önce bir seçenek (`- …`) var.
survey-body-unreadable = { $line }. satır: `{ $text }` ne bir soru (`S: …`) ne de bir seçenek (`- …`).
survey-body-unknown-kind = { $line }. satır: `({ $kind })` bir soru türü değil: (en çok N), (puan) ya da (metin) kullanın.
survey-deadline-past = Son tarih ({ $when }) zaten geçmiş.
survey-deadline-too-far = Son tarih en çok { $days } gün sonrası olabilir.
survey-nudge-too-late = Son tarihten { $span } önceki hatırlatma anket açılmadan önceye düşüyor.
survey-unknown-pillar = `{ $pillar }` adlı bir çalışma grubu yok; çalışma grupları: { $known }.
survey-anonymous-needs-key = Anonim anketler için oy verenlerin kimliklerini özetlemekte (hash) kullanılacak bir anahtar gerekir: [surveys] voter_key_env ya da voter_key_file ayarlayın.
## Başlatıldı, kapandı, iptal edildi: sekretaryaya yanıtlar.
survey-started = #{ $id } numaralı anket { $pillars } için { $rooms } odaya gönderildi; { $when } tarihinde kapanacak.
survey-started-before = Bu komut zaten işlendi: #{ $id } numaralı anket başlatılmıştı.
survey-closed-now = #{ $id } numaralı anket kapatıldı; sonuçlar paylaşılıyor.
survey-not-open = #{ $id } numaralı anket zaten { $state }.
survey-cancelled-now = #{ $id } numaralı anket iptal edildi; artık hiçbir yanıt sayılmıyor.
survey-state = { $state ->
    [open] açık
    [closed] kapalı
   *[cancelled] iptal edilmiş
}

## Anketin odalarına gönderilenler.
survey-nudge = ⏰ #{ $id } numaralı “{ $title }” anketi { $when } tarihinde kapanıyor: { $count ->
    [0] henüz yanıt yok
   *[other] şimdiye dek { $count } yanıt
}.
survey-cancelled-notice = #{ $id } numaralı “{ $title }” anketi iptal edildi; yanıtları sayılmıyor.
survey-results-title = 📊 **#{ $id } numaralı anketin sonuçları: { $title }**
survey-results-respondents = { $count ->
    [0] Kimse yanıtlamadı.
   *[other] { $count } kişi yanıtladı.
}
survey-results-line = `{ $bar }` %{ $percent } ({ $count }) { $label }
survey-results-mean = Ortalama: 5 üzerinden { $mean }.
survey-results-texts = { $count } yazılı yanıt var; sekretarya `{ $command }` komutuyla okuyabilir.
survey-results-rate = { $pillar }: { $members } üyeden { $respondents } kişi yanıtladı (%{ $percent }).
survey-results-rate-unknown = { $pillar }: { $respondents } kişi yanıtladı.
survey-results-hidden = Anonim anket: sonuçlar en az { $min } kişi yanıtladığında gösterilir; { $count } kişi yanıtladı.
survey-poll-ended = Anket kapandı.

## `survey list` ve `survey show`.
survey-list-title = Anketler:
survey-list-line = • #{ $id } { $title }: { $state }, kapanış { $when }; { $count ->
    [0] yanıt yok
   *[other] { $count } yanıt
}
survey-list-none = Açık anket yok; son 30 günde kapanan da yok.
survey-show-state = { $state }; kapanış { $when }; { $count ->
    [0] henüz yanıt yok
   *[other] şimdiye dek { $count } yanıt
}.

## Matrix ve Discord hesaplarını bağlamak.
link-ask-privately = Kodunuzu yalnızca sizin gördüğünüz yerde isteyin: Discord'da `/magnet link`. Sonra Matrix'te `!magnet link KOD` gönderin.
link-code = Kodunuz `{ $code }`. { $minutes } dakika içinde Matrix'te, bulunduğum herhangi bir odada `!magnet link { $code }` gönderin. Kodu kimseyle paylaşmayın: kodu kim gönderirse onun hesabı sizinkine bağlanır.
link-done = { $platform } hesabınızla ({ $user }) bağlantı kuruldu: anketlerde ve toplantı yanıtlarında bir kez sayılırsınız.
link-unknown = Bu kod tanınmadı (ya da daha önce kullanılmış). Discord'da `/magnet link` ile yeni bir kod isteyin.
link-expired = Bu kodun süresi doldu. Discord'da `/magnet link` ile yeni bir kod isteyin.
link-same-platform = Bu kod bu platformda istendi; kodu diğer platformda gönderin.
unlink-done = Hesaplarınız artık bağlı değil.
unlink-none = Bu hesap başka bir hesaba bağlı değil.
## Bir toplantıya iliştirilen anket (`survey attach`).
survey-no-meeting = #{ $id } numaralı bir toplantı yok.
survey-attached = #{ $meeting } numaralı “{ $title }” toplantısına bir anket iliştirildi: her oturum bittiğinde açılır ve { $span } sonra kapanır.
# Standart geri bildirim, çalışma grubunun dilinde; $meeting toplantının başlığıdır.
survey-feedback-title = Geri bildirim: { $meeting }
survey-feedback-rating = Bu toplantı ne kadar yararlıydı?
survey-feedback-change = Bir dahaki sefere ne değişmeli?
