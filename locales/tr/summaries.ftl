# Özetler, kararlar ve eylemler: botun gönderdikleri ve onlarla ilgili yanıtları.

## Çalışma grubunun odalarında görülen özet.
summary-header = 📝 **Özet #{ $id }: { $pillar }**
summary-header-edited = 📝 **Özet #{ $id }: { $pillar }** (düzenlendi, { $version }. sürüm)
summary-meeting = Toplantı #{ $meeting } “{ $title }”, { $when }.
summary-decisions = **Kararlar**
summary-actions = **Eylemler**
summary-action = #{ $id } { $what }: { $owner }, son tarih { $due }
summary-action-done = { " " }(tamamlandı)
summary-action-dropped = { " " }(bırakıldı)
summary-how-actions = Her eylem, sorumlusu ya da sekretarya tarafından `{ $done }` ya da `{ $drop }` ile işaretlenir.
summary-withdrawn-notice = { $pillar } için özet #{ $id } geri çekildi.
summary-draft-header = 📝 **{ $pillar } için taslak özet #{ $id }**, yazan: { $author }
summary-draft-approve = Çalışma grubunun odalarına göndermek için: `{ $command }`; önce değiştirmek için: `{ $edit }`.

## Yanıtlar.
summary-posted = Özet #{ $id }, { $pillar } çalışma grubunun odalarına gönderildi.
summary-drafted = Özet #{ $id } taslak olarak sekretaryaya gösterildi; sekretaryadan biri onaylayınca { $pillar } çalışma grubunun odalarına gönderilecek.
summary-seen-before = Özet #{ $id } zaten kaydedilmişti.
summary-approved = Özet #{ $id } onaylandı ve { $pillar } çalışma grubunun odalarına gönderildi.
summary-approved-before = Özet #{ $id } zaten gönderilmişti.
summary-edited = Özet #{ $id } değiştirildi ({ $version }. sürüm); önceki sürüm saklanıyor.
summary-withdrawn = Özet #{ $id } geri çekildi; sürümleri saklanıyor.
summary-changed-meanwhile = #{ $id } numaralı özet aynı anda başka biri tarafından değiştirildi; isteğiniz uygulanmadı: özete yeniden bakıp bir kez daha deneyin.
summary-is-withdrawn = Özet #{ $id } geri çekilmiş: değiştirilemez.
summary-not-draft = Özet #{ $id } bir taslak değil.
summary-unknown = #{ $id } numaralı bir özet yok.
summary-not-allowed = { $pillar } için yalnızca sekretarya ve bu çalışma grubunun raportörleri özet gönderebilir.
summary-edit-not-allowed = #{ $id } numaralı özeti yalnızca sekretarya ya da (özet taslakken) bir raportör değiştirebilir.
summary-no-meeting = { $pillar } çalışma grubunun #{ $id } numaralı bir toplantısı yok.
summary-no-session = #{ $id } numaralı toplantının { $date } tarihinde yapılmış bir oturumu yok.
summary-none-held = { $pillar } çalışma grubu henüz hiç toplantı yapmadı: `--toplantı` ile bir toplantı belirtin.
summary-bad-date = `{ $typed }` bir tarih değil: YYYY-AA-GG biçiminde yazın.

## Özet metnindeki hatalar; $line satırın numarası.
summary-empty = Özet boş: metni, `Karar:` ve `Eylem: <ne> @sorumlu son YYYY-AA-GG` satırlarıyla birlikte komutun altına yazın.
summary-text-too-long = Özetin metni { $chars } karakter; en çok { $max } olabilir.
summary-item-too-long = { $line }. satır { $chars } karakter; bir karar ya da eylem en çok { $max } karakter olabilir.
summary-too-many-decisions = Bir özette en çok { $max } karar olabilir.
summary-too-many-actions = Bir özette en çok { $max } eylem olabilir.
summary-empty-decision = { $line }. satır: karar boş.
summary-no-owner = { $line }. satır: eylemin bir sorumlusu olmalı; @ad biçiminde yazın (@deniz:example.org gibi bir Matrix kimliği ya da bir Discord etiketi).
summary-no-due = { $line }. satır: eylemin bir son tarihi olmalı; sorumludan sonra `son YYYY-AA-GG` biçiminde yazın.
summary-impossible-date = { $line }. satır: `{ $typed }` geçerli bir tarih değil; takvimde böyle bir gün yok.
summary-due-past = { $line }. satır: son tarih ({ $date }) zaten geçmiş.
summary-nothing-to-do = { $line }. satır: eylemin sorumlusu ve son tarihi yazılmış, ama ne yapılacağı yazılmamış.

## Listeler.
summary-list-title = Özetler:
summary-list-line = #{ $id } { $pillar }, { $date } ({ $state }): { $start }
summary-list-none = Henüz özet yok.
summary-state-draft = taslak
summary-state-published = gönderildi
summary-state-withdrawn = geri çekildi
actions-title = Açık eylemler:
actions-overdue-title = Süresi geçmiş eylemler:
actions-none = Açık eylem yok.
actions-overdue-none = Süresi geçmiş eylem yok.
actions-line = #{ $id } { $what }: { $owner }, son tarih { $due } ({ $pillar }, özet #{ $summary }){ $late }
actions-late = { " " }⚠ süresi geçti

## Eylemler.
action-done = Eylem #{ $id } tamamlandı olarak işaretlendi.
action-dropped = Eylem #{ $id } bırakıldı.
action-closed-already = Eylem #{ $id } zaten kapatılmış.
action-unknown = #{ $id } numaralı bir eylem yok.
action-not-yours = #{ $id } numaralı eylemi yalnızca sorumlusu ya da sekretarya kapatabilir.
action-reminder = ⏰ { $owner }: eylem #{ $id } “{ $what }” (özet #{ $summary }) için son tarih { $due }. Tamamlanınca: `{ $command }`.

## Arama.
search-empty = Aranacak sözcükleri yazın, örn. `{ $command }`.
search-none = “{ $words }” için bir şey bulunamadı.
search-title = “{ $words }” için sonuçlar (en yeniden eskiye):
search-line = Özet #{ $id } ({ $pillar }, { $date }), { $kind }: { $excerpt }
search-kind-summary = metin
search-kind-decision = karar
search-kind-action = eylem
