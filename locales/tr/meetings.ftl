# Toplantılar: çalışma grubunun odalarına duyurulanlar ve hatırlatmalar.
# Terimler: «toplantı» toplantının kendisidir; yinelenen bir toplantıda bütün dizi (İng.
# meeting, series). «oturum» bir toplantının tek bir tarihte yapılan buluşmasıdır (İng.
# occurrence); yinelenen bir toplantının tek bir tarihi kastedildiği her yerde «oturum» denir.

meeting-when = **Zaman:** { $when }, { $minutes } dk
meeting-agenda = **Gündem:** { $agenda }
meeting-place = **Yer:** { $place }

## Hatırlatmalar. $span bir süredir (24 sa).
reminder-starts-in = { $span } sonra başlıyor
reminder-starts-in-late = { $span } sonra başlıyor (bu hatırlatma gecikti: bot zamanında gönderemedi)
reminder-title = ⏰ **{ $title }** { $left }
reminder-rsvp-so-far = **Şu ana kadarki yanıtlar:** { $counts }
reminder-answer-how = Yanıtlamak için `{ $command }` yazın ya da tepki bırakın: { $yes_emoji } { $yes }, { $maybe_emoji } { $maybe }, { $no_emoji } { $no }

## Çalışma grubunun odalarına duyurular.
notice-meeting-added = 📅 Yeni toplantı #{ $id }: **{ $title }**
notice-meeting-repeats = (`{ $rule }` kuralıyla { $zone } saatine göre tekrarlanır)
notice-meeting-reminders = Hatırlatmalar: { $offsets } önce. Yanıtlamak için: `{ $command }`.
notice-occurrence-cancelled-series-goes-on = ❌ **{ $title }**, { $when } tarihinde yapılmayacak. Toplantının diğer oturumları yapılacak.
notice-series-cancelled = ❌ Yinelenen **{ $title }** toplantısı iptal edildi: başka oturum yapılmayacak.
notice-meeting-cancelled = ❌ **{ $title }** ({ $when }) iptal edildi.
notice-meeting-moved = 🔁 **{ $title }** taşındı: { $old } yerine artık { $new }. Verilen yanıtlar geçerli.

## Toplantı komutlarına yanıtlar. $invoke `!magnet` ya da `/magnet`.
meeting-other-pillar-in-public = Bu soru { $pillar } çalışma grubunu ilgilendiriyor; yanıtı bu odadaki herkes görür. O grubun odalarından birinde ya da sekretaryanın odasında sorun.
meeting-not-here = Burada #{ $id } numaralı bir toplantı yok. Bu çalışma grubunun toplantılarını görmek için `{ $invoke } toplantı liste` gönderin.
meeting-date-too-far = { $date } çok ileride; önümüzdeki { $days } gün içinde bir tarih verin.
meeting-none-on-date = #{ $id } numaralı toplantının { $date } tarihinde yapılacak bir oturumu yok.
meeting-none-to-come = #{ $id } numaralı toplantının yapılacak bir oturumu kalmadı.
meeting-list-other-pillar = Başka bir çalışma grubunun toplantılarını yalnızca sekretarya listeleyebilir; burada { $pillar } toplantılarını görebilirsiniz.
meeting-list-where = Bir çalışma grubunun odasında sorun ya da çalışma grubunu belirtin: `{ $invoke } toplantı liste <çalışma-grubu>`.
meeting-list-none-pillar = { $pillar } için yaklaşan toplantı yok.
meeting-list-none = Yaklaşan toplantı yok.
meeting-list-title = Yaklaşan toplantılar:
meeting-list-line = • #{ $id } **{ $title }** ({ $pillar }) — { $when }; { $counts }
meeting-list-how = Birini görmek için `{ $invoke } toplantı göster <numara>`, yanıtlamak için `{ $invoke } katılım <numara> evet` gönderin.
meeting-show-title = #{ $id } **{ $title }** ({ $pillar })
meeting-show-cancelled = — iptal edildi
meeting-show-repeats = **Tekrar:** `{ $rule }` ({ $zone })
meeting-show-reminders = **Hatırlatmalar:** { $offsets } önce
meeting-show-rsvp = **Yanıtlar:** { $counts }
meeting-show-answer = { $answer }: { $name } ({ $platform })
meeting-show-nothing-to-come = Yapılacak oturum kalmadı.
meeting-title-length = Toplantı başlığı 1 ile 200 karakter arasında olmalı.
meeting-agenda-length = Gündem en çok 1000, yer en çok 500 karakter olabilir; daha uzun bir gündem için bağlantı verin.
meeting-start-past = Bu başlangıç ({ $when }) geçmişte kaldı. İleride bir zaman verin.
meeting-series-ends-before = Yinelenen toplantının bitiş tarihi ({ $date }) başlangıcından önce.
meeting-until-without-every = --bitiş yalnızca --her ile kullanılır: yalnızca yinelenen toplantıların son tarihi olur.
meeting-rule-unusable = `{ $rule }` kuralı kullanılamıyor: { $reason }. Beş alan yazın: dakika saat ayın-günü ay haftanın-günü; örn. salı günleri 10:00 için `0 10 * * TUE`.
meeting-rule-no-time = `{ $rule }` kuralı başlangıç ile son tarih arasında hiçbir zamana denk gelmiyor.
meeting-added-before = Bu komut daha önce de geldi ve yerine getirildi: #{ $id } numaralı toplantı onunla zaten eklenmişti.
meeting-added = #{ $id } numaralı toplantı { $pillar } çalışma grubuna eklendi: **{ $title }**, ilk oturum { $when }. Hatırlatmalar { $offsets } önce. Çalışma grubunun odalarına duyuruldu.
meeting-already-cancelled = #{ $id } numaralı toplantı zaten iptal edilmiş.
meeting-on-for-single = #{ $id } numaralı toplantı tek seferlik; `--tarih` yinelenen bir toplantıdan bir tarih seçer. İptal etmek için `{ $invoke } toplantı iptal { $id }` gönderin.
meeting-cancel-too-late = #{ $id } numaralı toplantı başladı ya da yapıldı; iptal edilecek bir şey yok.
meeting-cancel-nothing-left = #{ $id } numaralı toplantı yapıldı; iptal edilecek bir şey kalmamıştı.
meeting-cancelled = İptal edildi: #{ $id } numaralı toplantının { $count } oturumu; hatırlatmaları gönderilmeyecek. Çalışma grubunun odalarına duyuruldu.
meeting-move-cancelled = #{ $id } numaralı toplantı iptal edildi; bunun yerine yeni bir toplantı ekleyin.
meeting-move-same-time = #{ $id } numaralı toplantı zaten { $when } zamanında; taşınacak bir şey yok.
meeting-moved = #{ $id } numaralı toplantı { $when } zamanına taşındı. Eski hatırlatmalar gönderilmeyecek; yenileri gelecek. Çalışma grubunun odalarına duyuruldu.
meeting-move-taken = #{ $id } numaralı toplantının o zamanda zaten bir oturumu var.
meeting-move-changed = #{ $id } numaralı toplantının bu oturumu bu arada değişti; `{ $invoke } toplantı göster { $id }` ile bakıp yeniden deneyin.
meeting-reminders-set = #{ $id } numaralı toplantı artık her oturumdan { $offsets } önce hatırlatacak (önceden gönderilmiş hatırlatmalar geri alınmaz).
meeting-is-cancelled = #{ $id } numaralı toplantı iptal edildi.
meeting-gone = O oturum artık yok.
meeting-occurrence-state = O oturumun durumu: { $state }; `{ $invoke } toplantı göster { $id }` ile bakın.
occurrence-state-cancelled = iptal edildi
occurrence-state-moved = taşındı
occurrence-state-held = yapıldı
meeting-over = O oturum bitti.
rsvp-noted = Kaydedildi: { $when } tarihli { $title } için **{ $answer }**. Şu ana kadar: { $counts }.

## İnsanların yazdıklarını okuma.
when-bad-start = `{ $text }` okuyabildiğim bir başlangıç zamanı değil. Tarihi ve saati yazın, örn. `2026-12-01 10:00` (çalışma grubunun saat diliminde ya da --saat-dilimi ile verilende).
when-bad-date = `{ $text }` okuyabildiğim bir tarih değil. `2026-12-01` biçiminde yazın.
when-bad-zone = `{ $text }` bildiğim bir saat dilimi değil. `Europe/Istanbul`, `Europe/Berlin` ya da `UTC` gibi bir IANA adı kullanın.
when-bad-duration = `{ $text }` okuyabildiğim bir süre değil. `60m` ya da `1h30m` biçiminde yazın.
when-duration-range = Toplantı süresi 1 dakika ile 24 saat arasında, tam dakika olmalı; `{ $text }` uymuyor.
when-bad-offset = `{ $text }` okuyabildiğim bir hatırlatma zamanı değil. `24h,1h` biçiminde yazın (ya da `yok`); h = saat, m = dakika.
when-offset-range = Hatırlatma toplantıdan 1 dakika ile 14 gün önce gönderilmeli; `{ $text }` uymuyor.

## Çalışma grubu üyelerinin abone olduğu takvim.
calendar-name = { $pillar } toplantıları
calendar-description = MAGNET botunun tuttuğu { $pillar } çalışma grubu toplantıları
