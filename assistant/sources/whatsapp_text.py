"""What a WhatsApp message body is: a system notice, a placeholder, an attachment, or text.

Tables, per language, of what WhatsApp writes itself. A notice is dropped only when it is
recognised; anything unrecognised is kept as a message (a stray notice costs one search
hit, a dropped message is lost for good).
"""

from __future__ import annotations

import re

from assistant.sources.whatsapp_grammar import MARKS

# The opening words of the encryption notice WhatsApp puts at the top of every chat.
ENCRYPTION_NOTICES = (
    "Messages and calls are end-to-end encrypted",
    "Messages to this group are now secured with end-to-end encryption",
    "Messages to this chat and calls are now secured with end-to-end encryption",
    "Messages you send to this group are now secured with end-to-end encryption",
    "Messages you send to this chat and calls are now secured with end-to-end encryption",
    "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
    "Les messages et les appels sont chiffrés de bout en bout",
    "Los mensajes y las llamadas están cifrados de extremo a extremo",
    "Los mensajes y las llamadas están cifrados de punto a punto",
    "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
    "As mensagens e chamadas estão encriptadas ponto a ponto",
    "I messaggi e le chiamate sono crittografati end-to-end",
    "Berichten en oproepen zijn end-to-end versleuteld",
    "Сообщения и звонки защищены сквозным шифрованием",
    "Повідомлення та дзвінки захищено наскрізним шифруванням",
    "Mesajlar ve aramalar uçtan uca şifrelidir",
    "Wiadomości i połączenia są szyfrowane end-to-end",
    "Pesan dan panggilan terenkripsi secara end-to-end",
    "Mesej dan panggilan disulitkan hujung ke hujung",
    "Viestit ja puhelut ovat päästä päähän salattuja",
    "Meddelanden och samtal är end-to-end-krypterade",
    "Meldinger og anrop er ende-til-ende-krypterte",
    "Beskeder og opkald er end-to-end-krypterede",
    "Üzenetek és hívások végpontok közötti titkosítással",
    "Zprávy a hovory jsou koncově šifrované",
    "Mesajele și apelurile sunt criptate integral",
    "Τα μηνύματα και οι κλήσεις είναι κρυπτογραφημένα από άκρο σε άκρο",
    "ההודעות והשיחות מוצפנות מקצה לקצה",
    "الرسائل والمكالمات مشفرة تمامًا بين الطرفين",
    "संदेश और कॉल एंड-टू-एंड एन्क्रिप्टेड हैं",
    "Tin nhắn và cuộc gọi được mã hóa đầu cuối",
    "ข้อความและการโทรได้รับการเข้ารหัสตั้งแต่ต้นทางถึงปลายทาง",
    "Съобщенията и обажданията са шифровани от край до край",
    "消息和通话都进行端到端加密",
    "メッセージと通話はエンドツーエンドで暗号化されています",
    "메시지와 통화는 종단간 암호화",
)
# Key phrases of the notice: with an iOS system mark, or "sent" by the chat itself, a
# body containing one is the notice whatever its wording this year.
ENCRYPTION_KEYS = (
    "end-to-end", "ende-zu-ende", "de bout en bout", "de extremo a extremo",
    "de ponta a ponta", "ponto a ponto", "сквозным шифрованием", "наскрізним",
    "uçtan uca", "päästä päähän", "ende-til-ende", "hujung ke hujung", "végpontok",
    "koncově", "criptate integral", "από άκρο σε άκρο", "מקצה לקצה", "بين الطرفين",
    "एंड-टू-एंड", "đầu cuối", "ต้นทางถึงปลายทาง", "от край до край", "端到端", "端對端",
    "エンドツーエンド", "종단간",
)  # fmt: skip

# Notices that quote a group's name or subject, which may hold ": " and so look like
# "sender: text" (Android: "Ada changed the subject from "Trip: Lisbon" to …").
SUBJECT_NOTICES = (
    " created group ", " changed the subject ", " changed the group name ",
    " hat die Gruppe ", " hat den Betreff ", " hat den Gruppennamen ",
    " a créé le groupe ", " a modifié le sujet ", " a changé le sujet ", " a changé le nom ",
    " creó el grupo ", " cambió el asunto ", " cambió el nombre ",
    " criou o grupo ", " mudou o assunto ", " mudou o nome ",
    " ha creato il gruppo ", " ha cambiato l'oggetto ", " ha cambiato il nome ",
    " heeft groep ", " heeft het onderwerp ", " heeft de groepsnaam ",
    " создал(-а) группу ", " создал группу ", " изменил(-а) тему ",
    " grubunu oluşturdu", " grup konusunu ", " utworzył(a) grupę ", " zmienił(a) temat ",
    " membuat grup ", " mengubah subjek ", " loi ryhmän ", " vaihtoi aiheen ",
)  # fmt: skip
_PAIRS = (('"', '"'), ("“", "”"), ("«", "»"), ("„", "“"), ("「", "」"), ("‘", "’"))
# Notices iOS writes as a message of the chat itself and marks with U+200E
# ("Book Club: ‎Priya Nair created group “Book Club”").
NOTICE_PHRASES = (
    *SUBJECT_NOTICES,
    " changed this group's icon", " changed the group description", " deleted this group's icon",
    " added ", " removed ", " left", " joined using this group's invite link",
    " changed their phone number", "'s security code changed", "Your security code with ",
    " changed the group settings", " pinned a message", " turned on disappearing messages",
    " turned off disappearing messages", "You're now an admin", "You created group ",
    "Missed voice call", "Missed video call", "This chat is with a business account",
    " hat das Gruppenbild ", " hat die Gruppenbeschreibung ", " hinzugefügt", " entfernt",
    " hat die Gruppe verlassen", "Dein Sicherheitscode für ", "Verpasster Sprachanruf",
    "Verpasster Videoanruf", " a ajouté ", " a retiré ", " est parti", " a quitté",
    "Votre code de sécurité avec ", "Appel vocal manqué", "Appel vidéo manqué",
    " añadió a ", " eliminó a ", " salió del grupo", "Tu código de seguridad con ",
    "Llamada perdida", " adicionou ", " removeu ", " saiu", "Seu código de segurança com ",
    "Chamada de voz perdida", " ha aggiunto ", " ha rimosso ", " è uscito",
    "Chiamata vocale persa", " heeft toegevoegd", " is vertrokken", " добавил(-а) ",
    " удалил(-а) ", " вышел(-ла)", "Пропущенный аудиозвонок", " ekledi", " çıkardı",
    " ayrıldı", " dodał(a) ", " opuścił(a)", " menambahkan ", " mengeluarkan ", " keluar",
    " lisäsi ", " poistui",
)  # fmt: skip

# Text a message is replaced with: deleted, not yet delivered, media left out.
PLACEHOLDERS = (
    "This message was deleted", "You deleted this message", "null",
    "Waiting for this message. This may take a while.", "Waiting for this message",
    "<Media omitted>", "image omitted", "video omitted", "audio omitted", "sticker omitted",
    "GIF omitted", "document omitted", "Contact card omitted", "<View once voice message omitted>",
    "Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht", "<Medien ausgelassen>",
    "Bild weggelassen", "Video weggelassen", "Audio weggelassen", "Sticker weggelassen",
    "Ce message a été supprimé", "Vous avez supprimé ce message", "<Médias omis>",
    "image absente", "vidéo absente", "audio omis",
    "Se eliminó este mensaje", "Eliminaste este mensaje", "<Multimedia omitido>",
    "imagen omitida", "video omitido", "audio omitido",
    "Mensagem apagada", "Você apagou esta mensagem", "Esta mensagem foi apagada",
    "<Mídia oculta>", "<Arquivo de mídia oculto>", "imagem ocultada",
    "Questo messaggio è stato eliminato", "Hai eliminato questo messaggio", "<Media omessi>",
    "immagine omessa",
    "Dit bericht is verwijderd", "Je hebt dit bericht verwijderd", "<Media weggelaten>",
    "afbeelding weggelaten",
    "Данное сообщение удалено", "Вы удалили данное сообщение", "<Без медиафайлов>",
    "изображение отсутствует",
    "Bu mesaj silindi", "Bu mesajı sildiniz", "<Medya dahil edilmedi>", "<Medya atlandı>",
    "Ta wiadomość została usunięta", "<Pominięto multimedia>",
    "Pesan ini telah dihapus", "Anda menghapus pesan ini", "<Media tidak disertakan>",
    "Tämä viesti poistettiin", "<Media jätetty pois>",
    "Detta meddelande raderades", "<Media utelämnad>",
)  # fmt: skip
EDITED_MARKERS = (
    "<This message was edited>", "<Diese Nachricht wurde bearbeitet>",
    "<Ce message a été modifié>", "<Se editó este mensaje.>", "<Mensagem editada>",
    "<Questo messaggio è stato modificato>", "<Dit bericht is bewerkt>",
    "<Сообщение изменено>", "<Bu mesaj düzenlendi>", "<Wiadomość edytowana>",
    "<Pesan ini diedit>",
)  # fmt: skip

# "IMG-20200115-WA0003.jpg (file attached)", Android, in the phone's language.
FILE_ATTACHED = (
    "file attached", "Datei angehängt", "fichier joint", "archivo adjunto", "arquivo anexado",
    "ficheiro anexado", "file allegato", "bestand bijgevoegd", "файл прикреплен",
    "файл прикреплён", "dosya ekli", "załączony plik", "plik załączony", "file terlampir",
    "fail dilampirkan", "tiedosto liitetty", "fil bifogad", "fil vedlagt", "fil vedhæftet",
    "fișier atașat", "soubor připojen", "fájl csatolva", "αρχείο επισυνάφθηκε",
    "קובץ מצורף", "ملف مرفق", "फ़ाइल संलग्न", "tệp đính kèm", "文件已附加", "附加檔案",
    "ファイル添付", "파일 첨부",
)  # fmt: skip
# "<attached: 00000012-PHOTO-2020-01-15-14-22-05.jpg>", iOS, in the phone's language.
ATTACHED_LABELS = (
    "attached", "Anhang", "angehängt", "pièce jointe", "joint", "adjunto", "anexo", "anexado",
    "allegato", "bijlage", "bijgevoegd", "вложение", "прикреплено", "ek", "eklendi",
    "załącznik", "lampiran", "liite", "bifogad", "vedlegg", "vedhæftet", "melléklet",
    "příloha", "atașament", "συνημμένο", "מצורף", "مرفق", "संलग्न", "đính kèm", "附件",
    "添付", "첨부",
)  # fmt: skip

_MEDIA_NAME = re.compile(
    r"^(?:(?:IMG|VID|AUD|PTT|STK|DOC|GIF)-\d{8}-WA\d{3,}|\d{8}-[\w-]+).*\.\w{1,6}$",
    re.ASCII,
)


def _fold(text: str) -> str:
    return " ".join(text.strip(MARKS + " \u00a0\u202f").split()).casefold()


_ENCRYPTION = tuple(_fold(t) for t in ENCRYPTION_NOTICES)
_ENCRYPTION_KEYS = tuple(k.casefold() for k in ENCRYPTION_KEYS)
_SUBJECT = re.compile("|".join(re.escape(p.casefold()) for p in SUBJECT_NOTICES))
_NOTICE = re.compile("|".join(re.escape(p.strip().casefold()) for p in NOTICE_PHRASES))
_PLACEHOLDERS = frozenset(_fold(t).rstrip(".") for t in PLACEHOLDERS)
_EDITED = re.compile(
    r"[\s\u200e]*(?:" + "|".join(re.escape(m) for m in EDITED_MARKERS) + r")[\s\u200e]*$",
    re.IGNORECASE,
)
_FILE_ATTACHED = re.compile(
    r"^[\u200e\u200f]*(?P<name>[^\n()]{1,250}?\.\w{1,6})[ \u00a0]\((?P<label>[^()\n]{2,40})\)"
    r"[ \u00a0]*(?:\n|$)"
)
_FILE_LABELS = frozenset(_fold(t) for t in FILE_ATTACHED)
_ATTACHED = re.compile(
    r"[\u200e\u200f]*[<‹]\s?(?P<label>[^<>‹›:\n]{1,30}?)\s?:\s?(?P<name>[^<>‹›\n]{1,300}?)\s?[>›]"
)
_ATTACHED_LABELS = frozenset(_fold(t) for t in ATTACHED_LABELS)


def is_encryption_notice(body: str, *, marked: bool) -> bool:
    """The notice at the top of a chat: its known opening, or (on a line WhatsApp marked
    as its own) one of its key phrases."""
    text = body.lstrip(MARKS + " ")[:200].casefold()
    if text.startswith(_ENCRYPTION):
        return True
    return marked and len(body) < 400 and any(k in text for k in _ENCRYPTION_KEYS)


_ANY_QUOTE = re.compile('["“«„「‘]')


def _unclosed(text: str) -> bool:
    if _ANY_QUOTE.search(text) is None:
        return False
    for left, right in _PAIRS:
        if left == right:
            if text.count(left) % 2:
                return True
        elif text.count(left) > text.count(right):
            return True
    return False


def is_subject_notice(rest: str) -> bool:
    """A header remainder like ``Ada changed the subject from "Trip: Lisbon" to …``: its
    first ": " stands inside a quotation, and a known phrase is in the line (so "Ada: I
    created group X" and a sender named ``Robert "Bob" Smith`` stay messages)."""
    colon = rest.find(": ")
    if colon < 0 or len(rest) > 1000 or not _unclosed(rest[:colon]):
        return False
    return _SUBJECT.search(rest.casefold()) is not None


def is_marked_notice(body: str) -> bool:
    """A body WhatsApp itself wrote (iOS marks those with U+200E) that names no content."""
    return _NOTICE.search(body.strip(MARKS).casefold()) is not None


def is_placeholder(text: str) -> bool:
    return len(text) < 80 and _fold(text).rstrip(".") in _PLACEHOLDERS


def strip_edited(text: str) -> str:
    return _EDITED.sub("", text)


def attachments(text: str) -> tuple[list[str], str]:
    """(attached file names, the text left: the caption)."""
    names: list[str] = []

    def take(m: re.Match[str]) -> str:
        name = m["name"].strip()
        if _fold(m["label"]) in _ATTACHED_LABELS or _MEDIA_NAME.match(name):
            names.append(name)
            return ""
        return m.group(0)

    text = _ATTACHED.sub(take, text)
    m = _FILE_ATTACHED.match(text)
    if m and (_fold(m["label"]) in _FILE_LABELS or _MEDIA_NAME.match(m["name"].strip())):
        names.append(m["name"].strip())
        text = text[m.end() :]
    return names, text
