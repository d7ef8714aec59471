-- why: an import into an archive whose intake is closed wrote each new item
-- twice. The item was inserted open, then its intake access event's trigger
-- updated it to closed, and that update ran the tally trigger's twelve
-- statements (take the open row out, put the closed row in, for items,
-- vocabularies, terms and narrators). It was an eighth of the import
-- writer's time. A new item is now inserted with its starting level
-- (`items::insert_item`), and this trigger leaves a row alone when the
-- event does not change it: the item's level still always equals its
-- latest access event, and an unchanged row fires no update trigger.
DROP TRIGGER access_events_current;
CREATE TRIGGER access_events_current AFTER INSERT ON access_events BEGIN
    UPDATE items SET access_level = CASE NEW.level WHEN 'open' THEN NULL ELSE NEW.level END,
        access_until = NEW.until
    WHERE id = NEW.item_id
      AND (access_level IS NOT (CASE NEW.level WHEN 'open' THEN NULL ELSE NEW.level END)
           OR access_until IS NOT NEW.until);
END;
