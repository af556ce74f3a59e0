# Komutlara yanıtlar (yardım satırları ve kullanım komut dilbilgisinden gelir).

only-secretariat = `{ $command }` komutunu yalnızca sekretarya çalıştırabilir. { $hint }
help-hint = Çalıştırabileceğiniz komutları görmek için `{ $help }` gönderin.
internal-error = Botta bir sorun çıktı (kayıt no. { $reference }). Sistem yöneticileri bunu inceleyebilir.
help-title = Çalıştırabileceğiniz komutlar:
no-such-pillar = `{ $pillar }` adında bir çalışma grubu yok.
no-such-pillar-known = `{ $pillar }` adında bir çalışma grubu yok. Çalışma grupları: { $known }.

## status
status-title = Köprünün durumu:
status-pillar = • { $name } ({ $id }): { $matrix } Matrix odası, { $discord } Discord kanalı; { $delivered } iletildi, { $waiting } bekliyor, { $failed } başarısız
status-paused = ⏸️ { $platform } { $room } ({ $pillar }) art arda retler yüzünden duraklatıldı: { $reason }. Sürdürmek için: `{ $command }`.
status-paused-secretariat-room = ⏸️ { $platform } { $room } (sekretarya) art arda retler yüzünden duraklatıldı: { $reason }. Sürdürmek için: `{ $command }`.
status-paused-for-members = ⏸️ { $pillar } çalışma grubunun bir { $platform } odasına giden iletimler bekletiliyor: platform bunları reddetti; sekretaryaya bildirildi.
status-paused-for-members-secretariat = ⏸️ Sekretaryanın bir { $platform } odasına giden iletimler bekletiliyor: platform bunları reddetti; sekretaryaya bildirildi.

## dead-letters
dead-letters-none = Başarısız iletim yok.
dead-letters-title = { $count } başarısız iletim (en yenisi önce):
# İletilemeyen bir iletimin ne yapacağı ($action kayıtlı hâliyle).
delivery-action = { $action ->
    [send] mesaj
    [edit] düzenleme
    [delete] silme
    [react] tepki
    [unreact] tepkinin geri alınması
   *[other] { $action }
}
dead-letter = • #{ $id } { $action }, { $platform } { $room } ({ $pillar }), { $attempts } deneme: { $error }
dead-letter-no-pillar = çalışma grubu yok
dead-letter-no-error = kayıtlı hata yok
dead-letters-more = … ve { $count } tane daha.
dead-letters-how = Yeniden göndermek için `{ $invoke } yeniden-dene <numara>` (ya da 12-40 gibi bir aralık, ya da `{ $invoke } yeniden-dene tümü [çalışma-grubu]`) gönderin.

## retry
retry-none = Yeniden denenecek başarısız iletim yok.
retry-all-pillar = { $pillar } çalışma grubunun { $count } başarısız iletimi sırasıyla yeniden kuyruğa alındı.
retry-all = { $count } başarısız iletim sırasıyla yeniden kuyruğa alındı.
retry-pillar-only-with-all = `{ $extra }`: çalışma grubu yalnızca `yeniden-dene tümü` ile verilir; birden çok iletimi 3,5,7-9 biçiminde yazın.
retry-queued-one = #{ $id } numaralı iletim yeniden kuyruğa alındı.
retry-queued-many = { $count } iletim yeniden kuyruğa alındı ({ $numbers }).
retry-not-failed-one = #{ $id } numaralı iletim başarısız olmadı (durumu: { $state }); yeniden denenecek bir şey yok.
retry-not-failed-many = { $count } iletim başarısız olmamıştı ({ $numbers }); onlarda yeniden denenecek bir şey yok.
retry-unknown-one = #{ $id } numaralı bir iletim yok.
retry-unknown-many = { $numbers } numaralı iletimler yok.
retry-not-a-number = `{ $which }` bir iletim numarası değil. 12, 12-40 gibi bir aralık, 3,5,7-9 gibi bir liste ya da tümü yazın.
retry-too-many = `{ $which }` { $limit } iletimden fazla; `yeniden-dene tümü [çalışma-grubu]` kullanın.
numbers-more = … { $count } tane daha
delivery-state-pending = bekliyor
delivery-state-sending = gönderiliyor
delivery-state-delivered = iletildi
delivery-state-dead = başarısız

## resume
resume-none-pillar = { $pillar } çalışma grubunun duraklatılmış odası yok.
resume-none = Duraklatılmış oda yok.
resume-done = { $count } odaya iletim, sırası korunarak yeniden başladı.

## Yazılan bir komuttaki yanlışlar.
usage-line = Kullanım: `{ $usage }`
usage-unclosed-quote = bir tırnak kapatılmamış. Boşluk içeren metni "çift tırnak" içine alın.
usage-not-magnet = /{ $path } bir magnet komutu değil.
usage-unknown-command = `{ $word }` burada bir komut değil.
usage-did-you-mean = `{ $suggestion }` mı demek istediniz?
usage-unknown-option = `{ $option }` bu komutun bir seçeneği değil.
usage-invalid-value = `{ $value }` geçerli bir { $argument } değil; geçerli değerler: { $valid }.
usage-bad-value = `{ $value }` geçerli bir { $argument } değil.
usage-missing = Eksik: { $arguments }.
usage-missing-command = Hangisini istediğinizi belirtin: { $commands }.
usage-other = { $text }
